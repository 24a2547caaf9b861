// MERGE-SHIM: keeps src/config.ts compiling until the cli helper's config/ replaces it. Delete at merge.
export { DEFAULT_OPENCODE_MODEL, defaultBaseUrl } from '../backends/opencode/settings.js';
import type { OpencodeSettings as Settings } from '../backends/opencode/settings.js';
/** The settings src/config.ts builds (without `cliMaxRetries`, which it keeps apart). */
export type OpencodeSettings = Omit<Settings, 'cliMaxRetries'>;
