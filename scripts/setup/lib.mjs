// Helpers shared by the setup steps: Node built-ins only (setup runs before npm packages are installed).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** Where downloaded and built tools go (`.tools/`, ignored by git). */
export const tools = join(root, '.tools');

/** Runs `cmd` in the project root with inherited output; true when it exits with status 0. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status === 0;
}

/** Runs `cmd` like {@link run}; on failure prints what failed and exits with status 1. */
export function must(cmd, args, what, opts = {}) {
  if (!run(cmd, args, opts)) fail(`${what} failed (${cmd} ${args.join(' ')})`);
}

/** Prints `message` as setup's and exits with status 1. */
export function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

/** A file's modification time, ms since the epoch; 0 when it does not exist. */
export function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of any file under `dir`, ms since the epoch. */
export function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : mtime(path));
  }
  return newest;
}

/** True when an executable named `name` is in a folder of PATH. */
export function onPath(name) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, name)));
}
