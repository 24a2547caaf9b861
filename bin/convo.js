#!/usr/bin/env node
// The `convo` command: runs the compiled CLI (build it with `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('convo: not built yet; run `npm run setup` (or `npm run build`) in the project first');
  process.exit(1);
}
await import(cli.href);
