/**
 * The private Claude Code config dir (`CLAUDE_CONFIG_DIR`) each turn runs in, so that concurrent turns on one worker
 * never share a transcript and no conversation is left on the worker afterwards. A worker user logged in with
 * `claude login` stays logged in inside it: the credentials file is linked (so a token the CLI refreshes is written
 * back to the user's own file) and the global config is copied.
 */
import { copyFile, mkdtemp, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the worker user's own Claude Code config lives: `$CLAUDE_CONFIG_DIR`, else `~/.claude` and `~/.claude.json`. */
export function userClaudeConfig(env: NodeJS.ProcessEnv = process.env): { dir: string; globalConfig: string } {
  const dir = env.CLAUDE_CONFIG_DIR;
  if (dir) return { dir, globalConfig: join(dir, '.claude.json') };
  return { dir: join(homedir(), '.claude'), globalConfig: join(homedir(), '.claude.json') };
}

/**
 * Makes a fresh config dir under `parent` carrying the user's login.
 * @returns its path; remove it with {@link removeConfigDir}.
 */
export async function makeConfigDir(parent: string, user: { dir: string; globalConfig: string }): Promise<string> {
  // The worker's pid in the name lets a later worker tell a dead worker's leftovers from a live one's turns.
  const dir = await mkdtemp(join(parent, `convo-turn-${process.pid}-`));
  const credentials = join(user.dir, '.credentials.json');
  if (await exists(credentials)) await symlink(credentials, join(dir, '.credentials.json'));
  if (await exists(user.globalConfig)) await copyFile(user.globalConfig, join(dir, '.claude.json'));
  return dir;
}

/** Deletes a turn's config dir and everything the CLI wrote in it, transcript included. */
export async function removeConfigDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes the config dirs (transcript copies included) that workers killed mid-turn left under `parent`: those whose
 * worker pid no longer runs. Called when a worker starts.
 * @returns the paths removed.
 */
export async function removeStaleConfigDirs(parent: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const pid = Number(/^convo-turn-(\d+)-/.exec(name)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    await killOrphanedCli(join(parent, name));
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

/** Name of the file in a config dir that holds the CLI's process group id while it runs. */
export const CLI_PGID_FILE = '.convo-cli-pgid';

/** Kills the process group of a CLI that outlived its worker, if that group still is a `claude`. */
async function killOrphanedCli(dir: string): Promise<void> {
  const pgid = Number(await readFile(join(dir, CLI_PGID_FILE), 'utf8').catch(() => ''));
  if (!pgid) return;
  const cmdline = await readFile(`/proc/${pgid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('claude')) return;
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
