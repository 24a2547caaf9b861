/**
 * The private Claude Code config dir (`CLAUDE_CONFIG_DIR`) each turn runs in: the turn dir itself (see
 * `../../turn/turn-dir.ts`). A worker user logged in with `claude login` stays logged in inside it: the credentials
 * file is linked (so a token the CLI refreshes is written back to the user's own file) and the global config is copied.
 */
import { copyFile, stat, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the worker user's own Claude Code config lives: `$CLAUDE_CONFIG_DIR`, else `~/.claude` and `~/.claude.json`. */
export function userClaudeConfig(env: NodeJS.ProcessEnv = process.env): { dir: string; globalConfig: string } {
  const dir = env.CLAUDE_CONFIG_DIR;
  if (dir) return { dir, globalConfig: join(dir, '.claude.json') };
  return { dir: join(homedir(), '.claude'), globalConfig: join(homedir(), '.claude.json') };
}

/** Links the user's credentials file into `dir` and copies their global config there, when they exist. */
export async function linkUserClaudeConfig(dir: string, user: { dir: string; globalConfig: string }): Promise<void> {
  const credentials = join(user.dir, '.credentials.json');
  if (await exists(credentials)) await symlink(credentials, join(dir, '.credentials.json'));
  if (await exists(user.globalConfig)) await copyFile(user.globalConfig, join(dir, '.claude.json'));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
