/** Finding a CLI binary installed with the project (an npm package in `node_modules`), for the backends' settings. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The first `[package, file inside it]` whose package is installed and whose file exists, as an absolute path.
 * @returns undefined when none is.
 */
export function firstInstalled(candidates: ReadonlyArray<readonly [pkg: string, file: string]>): string | undefined {
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
