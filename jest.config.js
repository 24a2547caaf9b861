/** Jest runs the TypeScript tests as native ES modules (swc strips types; `npm run typecheck` checks them). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // The 500-turn scale test runs on its own: `npm run test:scale`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/scale/'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  testTimeout: 180_000,
  // Each end-to-end file runs real workers and real CLIs; two at a time is what 2 cores carry.
  maxWorkers: 2,
};
