/**
 * Keeping the workspaces dir under its bound: once a run is over, while the clone cache and the checkouts together
 * take more than `maxBytes`, the least recently used remote's cache entry goes, with its checkouts. An entry in use
 * by a run of this process is never removed.
 */
import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { WorkspaceSettings } from '../../config/worker.js';
import { worktreesOf } from './checkout.js';
import { CACHE_DIR, entryInUse, lastUse, withEntryLock } from './clone-cache.js';

/** The bytes of the files under `path` (their sizes; symbolic links are not followed), 0 when it does not exist. */
export async function bytesOf(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries) total += await bytesOf(join(path, e.name));
  return total;
}

let bounding: Promise<void> = Promise.resolve();

/**
 * Removes least recently used cache entries (an entry's last use is its stamp's time, see ./clone-cache.ts) and
 * their checkouts until `settings.dir` takes at most `settings.maxBytes`, skipping entries in use by this process.
 * One bounding at a time per process. Never throws (what cannot be removed stays).
 * @returns the cache entries removed.
 */
export function boundWorkspaces(settings: WorkspaceSettings): Promise<string[]> {
  const run = bounding.then(() => bound(settings));
  bounding = run.then(
    () => undefined,
    () => undefined,
  );
  return run.catch(() => []);
}

async function bound({ dir, maxBytes }: WorkspaceSettings): Promise<string[]> {
  let total = await bytesOf(dir);
  if (total <= maxBytes) return [];
  const cache = join(dir, CACHE_DIR);
  const names = (await readdir(cache).catch(() => [] as string[])).filter((n) => n.endsWith('.git'));
  const entries = await Promise.all(
    names.map(async (n) => ({ path: join(cache, n), used: await lastUse(join(cache, n)) })),
  );
  entries.sort((a, b) => a.used - b.used);
  const removed: string[] = [];
  for (const entry of entries) {
    if (total <= maxBytes) break;
    if (entryInUse(entry.path)) continue;
    await withEntryLock(entry.path, async () => {
      if (entryInUse(entry.path)) return;
      const realDir = await realpath(dir).catch(() => dir);
      const checkouts = (await worktreesOf(entry.path)).filter((p) => isInside(dir, p) || isInside(realDir, p));
      for (const path of [...checkouts, entry.path]) {
        const bytes = await bytesOf(path);
        await rm(path, { recursive: true, force: true, maxRetries: 3 });
        total -= bytes;
      }
      removed.push(entry.path);
    }).catch(() => undefined);
  }
  return removed;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}
