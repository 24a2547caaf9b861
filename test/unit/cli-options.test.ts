/**
 * The `convo` option parsers: every numeric option is validated, and a bad value is one line naming the option
 * (never a NaN passed on, never the help after it).
 */
import { CommanderError, type Command } from 'commander';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseJsonObject,
  parseMilliseconds,
  parsePort,
  parsePositiveInt,
  parseSeconds,
  parseUsd,
} from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/program.js';

/** Parses `args` with the real program, without exiting or running an action; returns what went to stderr. */
async function parse(args: string[]): Promise<{ stderr: string; code?: string }> {
  let stderr = '';
  const program = buildProgram();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({
      writeErr: (s) => (stderr += s),
      writeOut: () => {},
      outputError: (s, write) => write(s),
    });
    // No action runs: the test is about parsing.
    if (c !== program) c.action(() => {});
    c.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stderr };
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { stderr, code: err.code };
  }
}

test('parsers accept whole numbers in range and refuse everything else', () => {
  expect(parsePositiveInt('25')).toBe(25);
  expect(parseMilliseconds(' 500 ')).toBe(500);
  expect(parseSeconds('0')).toBe(0);
  expect(parsePort('0')).toBe(0);
  expect(parsePort('65535')).toBe(65535);
  for (const bad of ['abc', '', '0', '-1', '1.5', '1e3', '0x10', 'NaN', 'Infinity', '99999999999999999999']) {
    expect(() => parsePositiveInt(bad)).toThrow('not a positive whole number');
    expect(() => parseMilliseconds(bad)).toThrow('not a positive whole number of milliseconds');
  }
  for (const bad of ['-1', '1.5', 'soon', ''])
    expect(() => parseSeconds(bad)).toThrow('not a whole number of seconds (0 or more)');
  for (const bad of ['65536', '-1', '80.5', 'http'])
    expect(() => parsePort(bad)).toThrow('not a port number (0-65535)');
});

test.each([
  [['list', '--limit', 'abc'], "error: option '--limit <n>' argument 'abc' is invalid. not a positive whole number"],
  [['list', '--limit', '0'], "error: option '--limit <n>' argument '0' is invalid. not a positive whole number"],
  [
    ['watch', 'c1', '--interval', 'fast'],
    "error: option '--interval <ms>' argument 'fast' is invalid. not a positive whole number of milliseconds",
  ],
  [['server', '--port', 'x'], "error: option '--port <port>' argument 'x' is invalid. not a port number (0-65535)"],
  [
    ['configure', 'c1', '--approval-timeout', 'soon'],
    "error: option '--approval-timeout <duration>' argument 'soon' is invalid. not a duration of whole seconds (e.g. 90s, 15m, 2h, 3d)",
  ],
  [
    ['server', '--ui-port', '70000'],
    "error: option '--ui-port <port>' argument '70000' is invalid. not a port number (0-65535)",
  ],
  [
    ['server', '--codec-port', '-5'],
    "error: option '--codec-port <port>' argument '-5' is invalid. not a port number (0-65535)",
  ],
  [
    ['codec-server', '--port', '1.5'],
    "error: option '--port <port>' argument '1.5' is invalid. not a port number (0-65535)",
  ],
  [
    ['start', '--details-refresh', 'soon'],
    "error: option '--details-refresh <seconds>' argument 'soon' is invalid. not a whole number of seconds (0 or more)",
  ],
  [
    ['start', '--max-cost-usd', 'abc'],
    "error: option '--max-cost-usd <usd>' argument 'abc' is invalid. not a positive number of US dollars",
  ],
  [
    ['start', '--max-cost-usd', '0'],
    "error: option '--max-cost-usd <usd>' argument '0' is invalid. not a positive number of US dollars",
  ],
  [
    ['configure', 'c1', '--max-cost-usd', '-2'],
    "error: option '--max-cost-usd <usd>' argument '-2' is invalid. not a positive number of US dollars",
  ],
  [
    ['start', '--max-turns', '0'],
    "error: option '--max-turns <n>' argument '0' is invalid. not a positive whole number",
  ],
  [
    ['configure', 'c1', '--max-turns', 'many'],
    "error: option '--max-turns <n>' argument 'many' is invalid. not a positive whole number",
  ],
  [
    ['start', '--settings', '/no/such/settings.json'],
    "error: option '--settings <file-or-json>' argument '/no/such/settings.json' is invalid. neither inline JSON nor a readable file (ENOENT)",
  ],
  [
    ['start', '--effort', 'huge'],
    "error: option '--effort <level>' argument 'huge' is invalid. Allowed choices are low, medium, high, xhigh, max.",
  ],
  [['diff', 'c1', '--turn', '0'], "error: option '--turn <n>' argument '0' is invalid. not a positive whole number"],
  [['fork', 'c1', '--at', 'last'], "error: option '--at <n>' argument 'last' is invalid. not a positive whole number"],
  [
    ['configure', 'c1', '--clear', 'cwd'],
    "error: option '--clear <options...>' argument 'cwd' is invalid. Allowed choices are model, allowed-tools, permission-mode, mcp-config, user-mcp-servers, disallowed-tools, add-dir, effort, fallback-model, max-turns, json-schema, settings, max-cost-usd, approve, approval-timeout.",
  ],
])('convo %j is refused in one line', async (args, line) => {
  const { stderr, code } = await parse(args);
  expect(code).toBe('commander.invalidArgument');
  expect(stderr).toBe(`${line}\n`);
});

test("JSON that does not parse is one line naming the option (the reason is V8's)", async () => {
  const { stderr, code } = await parse(['start', '--json-schema', '{"type": "object"']);
  expect(code).toBe('commander.invalidArgument');
  expect(stderr).toMatch(
    /^error: option '--json-schema <file-or-json>' argument '\{"type": "object"' is invalid\. not JSON \([^\n]+\)\n$/,
  );
});

test('start: --cwd and --repo exclude each other, in one line', async () => {
  const { stderr, code } = await parse(['start', '--repo', 'https://h/x.git', '--cwd', '/tmp']);
  expect(code).toBe('commander.conflictingOption');
  expect(stderr).toBe("error: option '--cwd <dir>' cannot be used with option '--repo <url>'\n");
});

test('a bad choice is one line naming the choices; a missing argument still shows the help', async () => {
  const backend = await parse(['start', '--backend', 'gpt']);
  expect(backend.stderr).toMatch(
    /^error: option '--backend <cli>' argument 'gpt' is invalid\. Allowed choices are claude, opencode\.\n$/,
  );
  const missing = await parse(['show']);
  expect(missing.stderr).toMatch(/^error: missing required argument 'id'\n\nUsage: convo show/);
});

test('every command is there, one module each', () => {
  expect(buildProgram().commands.map((c) => c.name())).toEqual([
    'server',
    'codec-server',
    'worker',
    'start',
    'send',
    'ask',
    'watch',
    'history',
    'export',
    'diff',
    'fork',
    'cancel',
    'approve',
    'deny',
    'answer',
    'configure',
    'compact',
    'show',
    'list',
    'resume',
    'skip',
    'close',
  ]);
});

test('dollar amounts are positive decimals; JSON options are an object, inline or in a file', async () => {
  expect(parseUsd('1')).toBe(1);
  expect(parseUsd(' 0.25 ')).toBe(0.25);
  expect(parseUsd('.5')).toBe(0.5);
  for (const bad of ['abc', '', '0', '0.00', '-1', '1e3', 'Infinity', '$1', '1,5'])
    expect(() => parseUsd(bad)).toThrow('not a positive number of US dollars');

  expect(parseJsonObject('{"type": "object"}')).toEqual({ type: 'object' });
  const dir = await mkdtemp(join(tmpdir(), 'cli-options-'));
  await writeFile(join(dir, 'schema.json'), '{\n  "type": "object",\n  "required": ["a"]\n}\n');
  await writeFile(join(dir, 'list.json'), '[1, 2]');
  await writeFile(join(dir, 'broken.json'), '{\n  "type":\n');
  expect(parseJsonObject(join(dir, 'schema.json'))).toEqual({ type: 'object', required: ['a'] });
  expect(() => parseJsonObject(join(dir, 'list.json'))).toThrow(`${join(dir, 'list.json')}: not a JSON object`);
  expect(() => parseJsonObject('{"a": 1')).toThrow(/^not JSON \(/);
  // A file's JSON error stays on one line.
  expect(() => parseJsonObject(join(dir, 'broken.json'))).toThrow(/^[^\n]*: not JSON \([^\n]*\)$/);
});
