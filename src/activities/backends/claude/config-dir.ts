/**
 * The private Claude Code config dir (`CLAUDE_CONFIG_DIR`) each turn runs in: the turn dir itself (see
 * `../../turn/turn-dir.ts`). A worker user logged in with `claude login` stays logged in inside it: the credentials
 * file is linked (so a token the CLI refreshes is written back to the user's own file) and the global config is copied.
 * A worker user without a global config gets the worker's {@link ConfigSeed} instead, so that the CLI does not start
 * as a first install on every turn.
 */
import { copyFile, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the worker user's own Claude Code config lives: `$CLAUDE_CONFIG_DIR`, else `~/.claude` and `~/.claude.json`. */
export function userClaudeConfig(env: NodeJS.ProcessEnv = process.env): { dir: string; globalConfig: string } {
  const dir = env.CLAUDE_CONFIG_DIR;
  if (dir) return { dir, globalConfig: join(dir, '.claude.json') };
  return { dir: join(homedir(), '.claude'), globalConfig: join(homedir(), '.claude.json') };
}

/**
 * Links the user's credentials file into `dir` and copies their global config there, when they exist; without a
 * global config, writes `seed`'s, when it has one.
 */
export async function linkUserClaudeConfig(
  dir: string,
  user: { dir: string; globalConfig: string },
  seed?: ConfigSeed,
): Promise<void> {
  const credentials = join(user.dir, '.credentials.json');
  if (await exists(credentials)) await symlink(credentials, join(dir, '.credentials.json'));
  if (await exists(user.globalConfig)) await copyFile(user.globalConfig, join(dir, '.claude.json'));
  else await seed?.write(dir);
}

/**
 * The keys of the global config (`.claude.json`) a first run of Claude Code 2.1.330 writes that describe the install,
 * not a conversation: without them the CLI runs its first-start work (migrations, ids) again, about 30 ms a turn here.
 * Anything else (per-project settings, prompt history, costs) is never carried from one turn's dir to another's.
 */
export const SEED_KEYS = [
  'firstStartTime',
  'firstStartVersion',
  'migrationVersion',
  'opusProMigrationComplete',
  'hasResetAutoModeOptInForDefaultOffer',
  'seenNotifications',
  'userID',
  'machineID',
  'pluginUsage',
] as const;

/**
 * A worker's global config for turns whose worker user has none: learned from the first turn dir the CLI wrote one in
 * ({@link SEED_KEYS} only), kept in memory for the worker's life.
 */
export class ConfigSeed {
  private seed: string | undefined;

  /** Learns the seed from the global config the CLI wrote in `dir` (once; a missing or unreadable file teaches none). */
  async learn(dir: string): Promise<void> {
    if (this.seed !== undefined) return;
    const text = await readFile(join(dir, '.claude.json'), 'utf8').catch(() => undefined);
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(text ?? 'null') as Record<string, unknown>;
    } catch {
      return;
    }
    if (!config || typeof config !== 'object') return;
    const kept = Object.fromEntries(SEED_KEYS.filter((k) => k in config).map((k) => [k, config[k]]));
    if (Object.keys(kept).length > 0) this.seed = JSON.stringify(kept);
  }

  /** Writes the seed as `dir`'s global config, when there is one. */
  async write(dir: string): Promise<void> {
    if (this.seed !== undefined) await writeFile(join(dir, '.claude.json'), this.seed, { mode: 0o600 });
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
