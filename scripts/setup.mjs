#!/usr/bin/env node
// Installs and builds what Convo needs from a fresh clone, with Node built-ins only. Each step is skipped when its
// result is already there, so running it again costs about a second.
//
//   node scripts/setup.mjs run    what running Convo needs (`npm run demo`, `npm run bench`, `npm run test:scale`):
//                                 npm packages, the `temporal` CLI (dev server and Web UI), the build;
//   node scripts/setup.mjs [test] what the whole test suite needs (`npm test`, `npm run setup`, .ci/run): the same,
//                                 plus the time-skipping test server (workflow tests), MinIO (the S3 store's test) and
//                                 Chromium (the Web UI browser test).
//
// The steps are in scripts/setup/, one file each.
import { build } from './setup/build.mjs';
import { installChromium } from './setup/chromium.mjs';
import { fail } from './setup/lib.mjs';
import { installMinio } from './setup/minio.mjs';
import { installNpmPackages } from './setup/npm-packages.mjs';
import { installTemporal } from './setup/temporal.mjs';

const profile = process.argv[2] ?? 'test';
if (profile !== 'run' && profile !== 'test') fail(`unknown profile ${profile}: use run or test`);
const tests = profile === 'test';

installNpmPackages();
installTemporal({ testServer: tests });
if (tests) {
  installMinio();
  installChromium();
}
build();
