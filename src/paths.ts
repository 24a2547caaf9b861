/** Folders of the project checkout, found from this module (which sits one level below the root, in src/ or dist/). */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** `.js` when running compiled code, `.ts` under the test runner: the extension sibling modules have. */
export const moduleExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Project-local tools (the Temporal binaries), installed by `scripts/setup.mjs`. */
export const toolsDir = join(projectRoot, '.tools');

/** Project-local data: the dev server's database file. */
export const dataDir = join(projectRoot, '.convo');

/**
 * The `claude` binary installed with the project (`@anthropic-ai/claude-code`): the platform package's binary, or
 * the wrapper package's `bin/claude.exe`. Undefined when neither is there.
 */
export function bundledClaudePath(): string | undefined {
  return firstInstalled([
    [`@anthropic-ai/claude-code-${process.platform}-${process.arch}`, 'claude'],
    ['@anthropic-ai/claude-code', join('bin', 'claude.exe')],
  ]);
}

/**
 * The `opencode` binary installed with the project (`opencode-ai`): the platform package's `bin/opencode`
 * (`opencode-<platform>-<arch>`, as opencode names platforms: `linux`, `darwin`, `windows`), else the wrapper package's
 * `bin/opencode.exe` (a copy of the platform binary made by its install script, or shipped). Undefined when neither is
 * there.
 */
export function bundledOpencodePath(): string | undefined {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binary = process.platform === 'win32' ? 'opencode.exe' : 'opencode';
  return firstInstalled([
    [`opencode-${platform}-${process.arch}`, join('bin', binary)],
    [`opencode-${platform}-${process.arch}-baseline`, join('bin', binary)],
    ['opencode-ai', join('bin', 'opencode.exe')],
  ]);
}

/** The first `[package, file inside it]` whose package is installed and whose file exists, as a path. */
function firstInstalled(candidates: ReadonlyArray<readonly [pkg: string, file: string]>): string | undefined {
  const require = createRequire(import.meta.url);
  for (const [pkg, file] of candidates) {
    let dir: string;
    try {
      dir = dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      continue; // package not installed on this platform
    }
    if (existsSync(join(dir, file))) return join(dir, file);
  }
  return undefined;
}
