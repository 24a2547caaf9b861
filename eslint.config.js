// ESLint (flat config): typescript-eslint's type-aware recommended rules on src/ and test/, plus the workflow
// sandbox's import rules. Formatting is Prettier's job (`npm run lint` runs both).
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Node built-ins by bare name (`fs`, `fs/promises`, ...) or with the `node:` prefix. */
const nodeBuiltin = `^(node:.*|(${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?)$`;

/**
 * Workflow code runs in Temporal's deterministic sandbox, bundled without Node: a Node built-in there fails the
 * bundle or, worse, makes replay nondeterministic; an activity value there drags the activity's Node imports into
 * the bundle. Workflows reach activities through `proxyActivities<typeof activities>`, so `import type` is allowed.
 * src/common/ is imported by workflows, so it gets the built-in ban too.
 */
const workflowImports = {
  patterns: [
    {
      regex: nodeBuiltin,
      message: 'Workflow code runs in the Temporal sandbox: no Node built-ins (move the work into an activity).',
    },
    {
      regex: '(^|/)activities(/|$)',
      allowTypeImports: true,
      message: 'Workflows import activities with `import type` only and call them through proxyActivities.',
    },
  ],
};

export default defineConfig(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.tools/',
      'coverage/',
      'test-artifacts/',
      'tools/**/*.go',
      '.convo/',
      'scratch/',
    ],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A forgotten `await` on a Temporal API (a signal, an update, a sleep) is a real bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Off: an `async` method that does not await still implements a Promise-returning interface (payload codecs,
      // a backend's classify), and making it return Promise.resolve(...) by hand reads worse.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/common/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', workflowImports] },
  },
  {
    // Tests assert on what the CLI printed (JSON.parse gives `any`) with jest's asymmetric matchers (typed `any` by
    // @types/jest): the no-unsafe-* rules would flag every such line without catching a bug.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `expect(fake.method).toHaveBeenCalled…` and the mock environment's `run(fn)` pass methods unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain JavaScript (configs, scripts, jest's global setup): no type information to lint with.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
