/**
 * The private opencode data dir (`XDG_DATA_HOME`, opencode's SQLite session store) each turn runs in, inside the turn
 * dir (see `../../turn/turn-dir.ts`), and the environment that points opencode at it. A worker user logged in with
 * `opencode auth login` stays logged in inside it: the credentials file is linked.
 */
import { stat, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * opencode's environment: the worker's, with opencode's data in the turn's private folder, the turn's config file,
 * project config off, `PWD` set to the conversation's cwd (opencode takes its directory from `PWD` before the process's
 * cwd), and none of the variables that would point opencode at other sessions or config (`OPENCODE_DB`,
 * `OPENCODE_CONFIG_CONTENT`).
 */
export function opencodeEnv(
  workerEnv: NodeJS.ProcessEnv,
  dataHome: string,
  configFile: string,
  cwd: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...workerEnv };
  delete env.OPENCODE_DB;
  delete env.OPENCODE_CONFIG_CONTENT;
  return {
    ...env,
    PWD: cwd,
    XDG_DATA_HOME: dataHome,
    OPENCODE_CONFIG: configFile,
    OPENCODE_DISABLE_PROJECT_CONFIG: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_SHARE: '1',
  };
}

/**
 * Links the worker user's `opencode auth login` credentials (`<XDG_DATA_HOME or ~/.local/share>/opencode/auth.json`).
 */
export async function linkUserLogin(dataHome: string, env: NodeJS.ProcessEnv): Promise<void> {
  const userData = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  const auth = join(userData, 'opencode', 'auth.json');
  if (await stat(auth).catch(() => undefined)) await symlink(auth, join(dataHome, 'opencode', 'auth.json'));
}
