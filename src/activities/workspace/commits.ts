/**
 * Convo's commits: the identity they are made with, a turn's message and trailers, and reading a commit's parents
 * and trailers back (the orphan rule: is the branch's tip an earlier run of this same turn?).
 */
import { CONVERSATION_TRAILER, TURN_TRAILER } from '../../common/workspace.js';
import type { WorkspaceGit } from './workspace-git.js';

/**
 * `-c` settings that give commits an author and committer on a worker without git config: `Convo
 * <convo@localhost>`, unless the environment's `GIT_AUTHOR_*` / `GIT_COMMITTER_*` say otherwise (they win over
 * config in git). Signing is never asked for (a worker has no key).
 */
export const COMMIT_IDENTITY = ['-c', 'user.name=Convo', '-c', 'user.email=convo@localhost'] as const;

/** Longest prompt excerpt in a commit subject, characters. */
const EXCERPT_CHARS = 60;

/**
 * A turn's commit message: `turn N: <first line of the prompt, at most 60 characters>` (`turn N (paused): …` for a
 * run that paused at a tool call), a blank line, and the trailers `Convo-Conversation: <id>` and `Convo-Turn: <N>`.
 * @param turn 1-based.
 */
export function turnMessage(conversationId: string, turn: number, prompt: string, paused: boolean): string {
  const first = prompt.trim().split('\n')[0]!.trim();
  const excerpt = first.length > EXCERPT_CHARS ? `${first.slice(0, EXCERPT_CHARS - 1).trimEnd()}…` : first;
  const subject = `turn ${turn}${paused ? ' (paused)' : ''}${excerpt ? `: ${excerpt}` : ''}`;
  return `${subject}\n\n${CONVERSATION_TRAILER}: ${conversationId}\n${TURN_TRAILER}: ${turn}\n`;
}

/**
 * Makes a commit of `tree` (`git commit-tree`, no hooks, no signing) in the repository at `cwd`.
 * @param parents none for a root commit.
 * @returns the commit's id.
 */
export async function commitTree(
  g: WorkspaceGit,
  cwd: string,
  tree: string,
  parents: readonly string[],
  message: string,
): Promise<string> {
  const args = [...COMMIT_IDENTITY, 'commit-tree', '--no-gpg-sign', tree, ...parents.flatMap((p) => ['-p', p])];
  return (await g.run(args, { cwd, input: message })).trim();
}

/** A commit as the orphan rule reads it. */
export interface CommitFacts {
  parents: string[];
  /** The trailers of its message's last paragraph (`Key: value` lines); the last value of a repeated key wins. */
  trailers: Record<string, string>;
}

/** Reads a commit's parents and trailers from the object itself (true in a shallow repository too). */
export async function commitFacts(g: WorkspaceGit, cwd: string, commit: string): Promise<CommitFacts> {
  const raw = await g.run(['cat-file', 'commit', commit], { cwd });
  const split = raw.indexOf('\n\n');
  const header = split >= 0 ? raw.slice(0, split) : raw;
  const message = split >= 0 ? raw.slice(split + 2) : '';
  const parents = header
    .split('\n')
    .filter((l) => l.startsWith('parent '))
    .map((l) => l.slice('parent '.length).trim());
  const paragraphs = message.trim().split(/\n\s*\n/);
  const trailers: Record<string, string> = {};
  if (paragraphs.length > 1) {
    for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line.trim());
      if (m) trailers[m[1]!] = m[2]!;
    }
  }
  return { parents, trailers };
}

/**
 * Whether `commit` is an earlier run of turn `turn` (1-based) of `conversationId`: its trailers name both and, when
 * `parent` is given, its first parent is `parent`. Such a commit (a killed attempt's, a paused run's) is replaced by
 * the turn's next run; any other commit on the branch is someone else's.
 * @returns the commit's first parent when it is one, else undefined.
 */
export async function earlierRunOfTurn(
  g: WorkspaceGit,
  cwd: string,
  commit: string,
  expect: { conversationId: string; turn: number; parent?: string },
): Promise<{ parent: string } | undefined> {
  const facts = await commitFacts(g, cwd, commit);
  const parent = facts.parents[0];
  if (!parent || facts.trailers[CONVERSATION_TRAILER] !== expect.conversationId) return undefined;
  if (facts.trailers[TURN_TRAILER] !== String(expect.turn)) return undefined;
  if (expect.parent !== undefined && parent !== expect.parent) return undefined;
  return { parent };
}

/** Whether `commit` is in the repository at `cwd`. */
export async function hasCommit(g: WorkspaceGit, cwd: string, commit: string): Promise<boolean> {
  return typeof (await g.attempt(['cat-file', '-e', `${commit}^{commit}`], { cwd })) === 'string';
}
