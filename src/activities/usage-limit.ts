// MERGE-SHIM: keeps src/index.ts compiling until the lead points it at backends/claude/reset-time.js. Delete at merge.
export { parseUsageLimitReset } from './backends/claude/reset-time.js';
