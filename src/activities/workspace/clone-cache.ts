/**
 * The worker's clone cache: one bare repository per remote at `<dir>/.cache/<key>.git`, whose worktrees are the
 * conversations' checkouts. Operations on one entry are serialized in this process (a promise-chain mutex per entry),
 * and an entry in use by a run of this process is never evicted (see ./cache-bound.ts). A stamp file in the entry,
 * touched on each use, dates its last use.
 */
import { mkdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceGit } from './workspace-git.js';

/** The folder of the clone cache under the workspaces dir. */
export const CACHE_DIR = '.cache';
/** The stamp file in an entry: its modification time is the entry's last use. */
export const STAMP_FILE = 'convo-last-used';

/** The path of the entry for the remote whose key is `key` (see `RepoUrl.cacheKey`). */
export function cacheEntryPath(dir: string, key: string): string {
  return join(dir, CACHE_DIR, `${key}.git`);
}

const chains = new Map<string, Promise<unknown>>();
const holders = new Map<string, number>();

/**
 * Runs `work` once every earlier `withEntryLock` of the same `entry` in this process has settled; resolves or
 * rejects as `work` does.
 */
export function withEntryLock<T>(entry: string, work: () => Promise<T>): Promise<T> {
  const previous = chains.get(entry) ?? Promise.resolve();
  const result = previous.then(work, work);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  chains.set(entry, settled);
  void settled.then(() => {
    if (chains.get(entry) === settled) chains.delete(entry);
  });
  return result;
}

/**
 * Marks `entry` in use by a run of this process until the returned function is called (once; more calls do
 * nothing). Call it before the first `withEntryLock` of the run, so that eviction, which checks under the lock,
 * sees it.
 */
export function holdEntry(entry: string): () => void {
  holders.set(entry, (holders.get(entry) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (holders.get(entry) ?? 1) - 1;
    if (n > 0) holders.set(entry, n);
    else holders.delete(entry);
  };
}

/** Whether a run of this process holds `entry` (see {@link holdEntry}). */
export function entryInUse(entry: string): boolean {
  return (holders.get(entry) ?? 0) > 0;
}

/**
 * Makes `entry` a bare repository if it is not one (a missing entry, or one a killed process left half made is
 * made anew) and touches its stamp. Call under {@link withEntryLock}.
 * @returns true when the entry was made now (a cold cache).
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails.
 */
export async function ensureCacheEntry(g: WorkspaceGit, entry: string): Promise<boolean> {
  const valid = await stat(join(entry, STAMP_FILE)).then(
    () => g.attempt(['rev-parse', '--is-bare-repository'], { cwd: entry }).then((out) => out === 'true\n'),
    () => false,
  );
  if (!valid) {
    await rm(entry, { recursive: true, force: true });
    await mkdir(entry, { recursive: true });
    await g.run(['init', '--quiet', '--bare', entry]);
    // No reflog (nothing in the entry ever holds the URL; fetches write no FETCH_HEAD either), and an automatic gc
    // runs in the foreground: no process of its own outlives the run (an eviction may remove the entry next).
    await g.run(['config', 'core.logAllRefUpdates', 'false'], { cwd: entry });
    await g.run(['config', 'gc.autoDetach', 'false'], { cwd: entry });
    await writeFile(join(entry, STAMP_FILE), '');
  }
  await touchStamp(entry);
  return !valid;
}

/** Sets the entry's last use to now. */
export async function touchStamp(entry: string): Promise<void> {
  const now = new Date();
  await utimes(join(entry, STAMP_FILE), now, now).catch(() => writeFile(join(entry, STAMP_FILE), ''));
}

/** The entry's last use, ms since the epoch (0 when it has no stamp). */
export async function lastUse(entry: string): Promise<number> {
  return stat(join(entry, STAMP_FILE)).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}
