/**
 * `npm run test:unit`: the unit tests alone, from sources (swc), with no install step, no build, no Temporal server
 * and no global setup. Tests that build Go tools (test/tools/), drive a browser, or start MinIO, a worker or a
 * Temporal server live elsewhere and run in the full `npm test`.
 */
import base from './jest.config.js';

const { globalSetup: _setup, globalTeardown: _teardown, ...unit } = base;

export default {
  ...unit,
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  testTimeout: 30_000,
};
