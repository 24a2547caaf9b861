/**
 * The private folder each turn runs in (under `CONVO_WORK_DIR`), whatever its backend: the CLI's config or data dir,
 * the restored transcript and the run's output live there, so that concurrent turns on one worker never share a
 * session and nothing of a conversation stays on the worker afterwards. Its name carries the worker's pid, so a worker
 * starting on the same machine can remove what a worker killed mid-turn left behind, and stop its CLI.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the file in a turn dir that holds the CLI's process group id while it runs. */
export const CLI_PGID_FILE = '.convo-cli-pgid';

/**
 * Makes a fresh turn dir under `parent`, named `convo-turn-<worker pid>-<random>`.
 * @returns its path; remove it with {@link removeTurnDir}.
 */
export async function makeTurnDir(parent: string): Promise<string> {
  return mkdtemp(join(parent, `convo-turn-${process.pid}-`));
}

/** Deletes a turn dir and everything the CLI wrote in it, transcript included. */
export async function removeTurnDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes the turn dirs (transcript copies included) that workers killed mid-turn left under `parent`: those whose
 * worker pid no longer runs. Called when a worker starts.
 * @param isCli whether a command line (`/proc/<pid>/cmdline`, NUL-separated) is a backend's CLI, whose orphaned
 *   process group is then killed (`isBackendCli` of `../backends/registry.ts`).
 * @returns the paths removed.
 */
export async function removeStaleTurnDirs(parent: string, isCli: (cmdline: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(/^convo-turn-(\d+)-/.exec(name)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    await killOrphanedCli(join(parent, name), isCli);
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/** Kills the process group of a CLI that outlived its worker, if that group still is a backend's CLI. */
async function killOrphanedCli(dir: string, isCli: (cmdline: string) => boolean): Promise<void> {
  const pgid = Number(await readFile(join(dir, CLI_PGID_FILE), 'utf8').catch(() => ''));
  if (!pgid) return;
  const cmdline = await readFile(`/proc/${pgid}/cmdline`, 'utf8').catch(() => '');
  if (!isCli(cmdline)) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
