/**
 * `ConvoClient.diff`: the unified diff of one turn, or of the whole conversation, read with git where its commits are.
 * Repo mode: the conversation's branch is fetched from the remote into a temporary bare repository (removed after);
 * the URL's `${VAR}` references are expanded from this process's environment and never shown. `--cwd` mode: the
 * snapshots are commits under `refs/convo/<id>/` of the work tree's own repository, so git runs there, when that
 * directory is on this machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationState } from '../common/conversation.js';
import { defaultBranch } from '../common/workspace.js';
import { git, GitError } from '../activities/workspace/git.js';
import { diffRange, type DiffRange } from './diff-range.js';
import { ConvoError } from './errors.js';
import { ApplicationFailure } from '@temporalio/common';
import { expandRepoUrl as expandOnWorker, type RepoUrl } from '../activities/workspace/repo-url.js';

/** What `ConvoClient.diff` is asked for. */
export interface DiffOptions {
  /** One turn (1-based, as people count turns); default the whole conversation. */
  turn?: number;
}

/** A conversation's change: the range compared and git's unified diff of it. */
export interface ConversationDiff extends DiffRange {
  /** `git diff from to` (no colour); empty when nothing changed (`to` absent). */
  text: string;
}

/**
 * The diff of one turn or of the whole conversation (see {@link diffRange}).
 * @param env where `${VAR}` references in the repo URL are expanded from, and git's environment (credential
 *   helpers, SSH agent); default the process's.
 * @throws ConvoError `InvalidOptions` (no such turn, a turn not completed, a `${VAR}` not set here), `NoWorkspace`
 *   (none recorded; or a `--cwd` conversation whose directory or snapshots are not on this machine), `GitFailed` (git
 *   could not fetch or compare: message redacted, one line).
 */
export async function conversationDiff(
  state: ConversationState,
  options: DiffOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConversationDiff> {
  const range = diffRange(state, options.turn);
  if (!range.from || !range.to) return { ...range, text: '' };
  const commits = [range.from, range.to];
  const url = state.repo?.url ?? state.options.repo;
  const text = url ? await repoDiff(state, expandRepoUrl(url, env), commits, env) : await cwdDiff(state, commits, env);
  return { ...range, text };
}

/** `git diff` of two commits, as a user reads it whatever their git config (no colour, no external diff tool). */
function diffArgs(commits: string[]): string[] {
  return ['diff', '--no-color', '--no-ext-diff', ...commits, '--'];
}

/** True when every commit is in the repository at `dir`. */
async function hasCommits(dir: string, commits: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const commit of commits) {
    const found = await git(['cat-file', '-e', `${commit}^{commit}`], { cwd: dir, env }).then(
      () => true,
      () => false,
    );
    if (!found) return false;
  }
  return true;
}

/** The diff in a `--cwd` conversation's own repository, on this machine. */
async function cwdDiff(state: ConversationState, commits: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const dir = state.cwd ?? state.options.cwd;
  const elsewhere = `run convo diff on the machine of its workers`;
  if (!dir || !existsSync(dir)) {
    throw new ConvoError(
      'NoWorkspace',
      `conversation ${state.id} works in ${dir}, which is not on this machine: ${elsewhere}`,
    );
  }
  if (!(await hasCommits(dir, commits, env))) {
    throw new ConvoError(
      'NoWorkspace',
      `the snapshots of conversation ${state.id} are not in ${dir} here: ${elsewhere}`,
    );
  }
  return gitOrFail(diffArgs(commits), dir, env, (text) => text);
}

/** The diff in a temporary bare repository holding the conversation's branch (and a fork source's, if needed). */
async function repoDiff(
  state: ConversationState,
  remote: RepoUrl,
  commits: string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const branches = [state.repo?.branch ?? state.options.branch ?? defaultBranch(state.id)];
  const source = state.options.forkOf?.branch;
  if (source && source !== branches[0]) branches.push(source);
  const dir = await mkdtemp(join(tmpdir(), 'convo-diff-'));
  try {
    await gitOrFail(['init', '--bare', '--quiet'], dir, env, remote.redact);
    const missing: string[] = [];
    // A fork's first commits have their parent on the source's branch; fetched only when the own branch lacks it.
    for (const [i, branch] of branches.entries()) {
      const fetch = ['fetch', '--no-tags', '--quiet', remote.url, `+refs/heads/${branch}:refs/convo-diff/${i}`];
      await git(fetch, { cwd: dir, env }).catch((err: unknown) => {
        if (err instanceof GitError && /couldn't find remote ref/i.test(err.stderr)) missing.push(branch);
        else throw failure(err, remote.redact);
      });
      if (await hasCommits(dir, commits, env)) return await gitOrFail(diffArgs(commits), dir, env, remote.redact);
    }
    const where =
      missing.length > 0
        ? `branch ${missing.join(', ')} is not on ${state.repo?.url ?? state.options.repo}`
        : 'not found';
    throw new ConvoError(
      'GitFailed',
      `the commits of conversation ${state.id} (${commits.map((c) => c.slice(0, 12)).join('..')}) are missing: ${where}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs git; a failure becomes ConvoError `GitFailed` with its message redacted. */
async function gitOrFail(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  redact: (text: string) => string,
): Promise<string> {
  return git(args, { cwd, env }).catch((err: unknown) => {
    throw failure(err, redact);
  });
}

/** A git failure as one redacted line: the command and git's first lines of complaint (the reason comes first). */
function failure(err: unknown, redact: (text: string) => string): ConvoError {
  if (!(err instanceof GitError)) return new ConvoError('GitFailed', redact(String(err).replace(/\s*\n\s*/g, ' ')));
  const lines = err.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const reason = lines.slice(0, 2).join(' | ') || 'no output';
  return new ConvoError('GitFailed', redact(`git ${err.args[0]} failed (exit ${err.exitCode ?? 'signal'}): ${reason}`));
}

/**
 * `url` with its `${VAR}` references expanded from `env`, as workers expand them (the same code).
 * @throws ConvoError `InvalidOptions` naming a variable `env` does not set.
 */
function expandRepoUrl(url: string, env: NodeJS.ProcessEnv): RepoUrl {
  try {
    return expandOnWorker(url, env);
  } catch (err) {
    if (err instanceof ApplicationFailure)
      throw new ConvoError('InvalidOptions', err.message.replace('worker', 'machine'));
    throw err;
  }
}
