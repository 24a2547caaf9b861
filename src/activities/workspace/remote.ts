/**
 * Talking to a repo-mode remote from a cache entry: listing the refs a run needs, fetching them (shallow), pushing a
 * turn's commit with a lease. The URL is passed on git's command line only, never written to config, FETCH_HEAD or
 * a reflog.
 */
import { workspaceUnavailable } from './failures.js';
import type { GitError } from './git.js';
import type { RepoUrl } from './repo-url.js';
import type { WorkspaceGit } from './workspace-git.js';

/** Where fetched refs live in a cache entry: `refs/heads/x` of the remote is `refs/convo-cache/heads/x`. */
export function cacheRef(ref: string): string {
  return `refs/convo-cache/${ref.replace(/^refs\//, '')}`;
}

/** The refs a remote advertised: full ref name → commit (a tag peeled to its commit), and its default branch. */
export interface RemoteRefs {
  refs: Map<string, string>;
  /** Full name of the branch the remote's HEAD points at, when it said. */
  defaultBranch?: string;
}

/** `-c` settings for commands that reach the remote: a URL with credentials in it must not reach a credential
 * helper (which might store them). */
function remoteConfig(remote: RepoUrl): string[] {
  return remote.hasCredentials ? ['-c', 'credential.helper='] : [];
}

/**
 * `git ls-remote --symref <url> HEAD <patterns>`.
 * @param patterns full ref names (`refs/heads/x`, `refs/tags/v1`).
 * @throws ApplicationFailure `WorkspaceUnavailable` when the remote cannot be reached or read.
 */
export async function listRemote(
  g: WorkspaceGit,
  cwd: string,
  remote: RepoUrl,
  patterns: readonly string[],
): Promise<RemoteRefs> {
  const out = await g.run([...remoteConfig(remote), 'ls-remote', '--symref', remote.url, 'HEAD', ...patterns], {
    cwd,
  });
  const refs = new Map<string, string>();
  let defaultBranch: string | undefined;
  for (const line of out.split('\n')) {
    const symref = /^ref: (\S+)\tHEAD$/.exec(line);
    if (symref) {
      defaultBranch = symref[1];
      continue;
    }
    const m = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line);
    if (!m) continue;
    const [, sha, name] = m as unknown as [string, string, string];
    if (name.endsWith('^{}')) refs.set(name.slice(0, -3), sha);
    else if (!refs.has(name)) refs.set(name, sha);
  }
  // HEAD's line gives the default branch's commit (the patterns may not have listed the branch itself).
  const head = refs.get('HEAD');
  if (defaultBranch && head && !refs.has(defaultBranch)) refs.set(defaultBranch, head);
  return { refs, defaultBranch };
}

/** The full ref names a user's ref name may mean, most likely first: itself when it starts with `refs/`, else the
 * branch, then the tag. */
export function refCandidates(name: string): string[] {
  if (name.startsWith('refs/')) return [name];
  return [`refs/heads/${name}`, `refs/tags/${name}`];
}

/** The first of {@link refCandidates} of `name` the remote has (`HEAD`: its default branch), else undefined. */
export function resolveRef(name: string, remote: RemoteRefs): string | undefined {
  if (name === 'HEAD') return remote.defaultBranch;
  return refCandidates(name).find((ref) => remote.refs.has(ref));
}

/** `refs/heads/x` → `x`; other refs stay full. */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

/**
 * Fetches `refs` of the remote into the cache entry at `cwd` (see {@link cacheRef}), without tags. Shallow: each
 * ref's tip only (`--depth=1`), which is all a run needs when it starts from a tip; with `deepen`, the refs' whole
 * history instead (`--unshallow` in a shallow entry), for a start commit deeper than a tip (a fork's, a turn whose
 * killed attempt left a commit on the branch).
 * @throws ApplicationFailure `WorkspaceUnavailable` when the remote cannot be reached or read.
 */
export async function fetchRefs(
  g: WorkspaceGit,
  cwd: string,
  remote: RepoUrl,
  refs: readonly string[],
  { deepen = false }: { deepen?: boolean } = {},
): Promise<void> {
  if (refs.length === 0) return;
  let depth = ['--depth=1'];
  if (deepen) {
    const shallow = (await g.run(['rev-parse', '--is-shallow-repository'], { cwd })).trim() === 'true';
    depth = shallow ? ['--unshallow'] : [];
  }
  const refspecs = refs.map((ref) => `+${ref}:${cacheRef(ref)}`);
  await g.run(
    [
      ...remoteConfig(remote),
      '-c',
      'core.logAllRefUpdates=false',
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      ...depth,
      remote.url,
      ...refspecs,
    ],
    { cwd },
  );
}

/** What a push came to: done, refused by the remote (the lease, a hook, a protected branch) with git's line saying
 * why, or failed otherwise (the error: redact before showing). */
export type PushOutcome =
  { ok: true } | { ok: false; refused: true; why: string } | { ok: false; refused: false; error: GitError };

/**
 * `git push <url> <commit>:refs/heads/<branch> --force-with-lease=refs/heads/<branch>:<lease>`: moves the branch to
 * `commit` only if it is at `lease` on the remote (`''`: only if it does not exist). No hooks run.
 */
export async function pushWithLease(
  g: WorkspaceGit,
  cwd: string,
  remote: RepoUrl,
  commit: string,
  branch: string,
  lease: string,
): Promise<PushOutcome> {
  const ref = `refs/heads/${branch}`;
  const out = await g.attempt(
    [
      ...remoteConfig(remote),
      'push',
      '--quiet',
      '--no-verify',
      `--force-with-lease=${ref}:${lease}`,
      remote.url,
      `${commit}:${ref}`,
    ],
    { cwd },
  );
  if (typeof out === 'string') return { ok: true };
  const line = out.stderr.split('\n').find((l) => /\[(remote )?rejected\]/.test(l));
  if (line) return { ok: false, refused: true, why: line.trim() };
  return { ok: false, refused: false, error: out };
}

/** @throws ApplicationFailure `WorkspaceUnavailable` (non-retryable): `what` is not on the remote. */
export function notOnRemote(what: string, remote: RepoUrl): never {
  throw workspaceUnavailable(`${what} is not on the remote ${remote.shown}`, {
    nonRetryable: true,
    redact: remote.redact,
  });
}
