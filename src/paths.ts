/** Folders of the project checkout, found from this module (which sits one level below the root, in src/ or dist/). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (where package.json is). */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** `.js` when running compiled code, `.ts` under the test runner: the extension sibling modules have. */
export const moduleExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Project-local tools (the Temporal binaries), installed by `scripts/setup.mjs`. */
export const toolsDir = join(projectRoot, '.tools');

/** Project-local data: the dev server's database file. */
export const dataDir = join(projectRoot, '.convo');
