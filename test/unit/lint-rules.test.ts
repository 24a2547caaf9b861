/**
 * The guard rails of eslint.config.js, through ESLint's Node API on in-memory files: workflow code that imports a
 * Node built-in or an activity value fails `npm run lint`; `import type` from activities does not.
 */
import { ESLint } from 'eslint';
import { projectRoot } from '../../src/paths.js';

const eslint = new ESLint({ cwd: projectRoot });

/**
 * The rule ids ESLint reports for `code` in place of src/workflows/index.ts. An existing file, because the type-aware
 * rules only lint files the tsconfig's project service knows; lintText reads `code`, never the file on disk.
 */
async function ruleIds(code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath: `${projectRoot}/src/workflows/index.ts` });
  return result?.messages.map((message) => message.ruleId) ?? ['no result'];
}

test.each([
  ['node:fs', "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n"],
  ['path', "import { join } from 'path';\nexport const joined = join('a', 'b');\n"],
  ['crypto', "import { randomUUID } from 'crypto';\nexport const id = randomUUID;\n"],
])('a workflow importing the Node built-in %s is an error', async (_name, code) => {
  expect(await ruleIds(code)).toEqual(['no-restricted-imports']);
});

test('a workflow importing an activity value is an error', async () => {
  const code = "import { createActivities } from '../activities/index.js';\nexport const make = createActivities;\n";
  expect(await ruleIds(code)).toEqual(['no-restricted-imports']);
});

test('a workflow importing activity types is clean', async () => {
  const code = [
    "import type { createActivities } from '../activities/index.js';",
    'export type Activities = ReturnType<typeof createActivities>;',
    '',
  ].join('\n');
  expect(await ruleIds(code)).toEqual([]);
});

test('a floating promise is an error', async () => {
  const code = 'async function later(): Promise<void> {}\nexport function now(): void {\n  later();\n}\n';
  expect(await ruleIds(code)).toContain('@typescript-eslint/no-floating-promises');
});
