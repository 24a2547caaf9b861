/**
 * The private Claude Code config dir (`CLAUDE_CONFIG_DIR`) each turn runs in: the turn dir itself (see
 * `../turn-dir.ts`). A worker user logged in with `claude login` stays logged in inside it: the credentials file is
 * linked (so a token the CLI refreshes is written back to the user's own file) and the global config is copied.
 */
import { copyFile, stat, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeTurnDir, removeStaleTurnDirs, removeTurnDir } from '../turn-dir.js';

export { CLI_PGID_FILE } from '../turn-dir.js';

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
  const dir = await makeTurnDir(parent);
  await linkUserClaudeConfig(dir, user);
  return dir;
}

/** Links the user's credentials file into `dir` and copies their global config there, when they exist. */
export async function linkUserClaudeConfig(dir: string, user: { dir: string; globalConfig: string }): Promise<void> {
  const credentials = join(user.dir, '.credentials.json');
  if (await exists(credentials)) await symlink(credentials, join(dir, '.credentials.json'));
  if (await exists(user.globalConfig)) await copyFile(user.globalConfig, join(dir, '.claude.json'));
}

/** Deletes a turn's config dir and everything the CLI wrote in it, transcript included. */
export const removeConfigDir = removeTurnDir;

/**
 * Removes the turn dirs (transcript copies included) that workers killed mid-turn left under `parent`, and stops
 * their CLIs. Called when a worker starts. See `removeStaleTurnDirs`.
 */
export const removeStaleConfigDirs = removeStaleTurnDirs;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
