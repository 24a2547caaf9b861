/**
 * The agent option flags of `convo start` and `convo configure`, parsed by the real program: what options they give,
 * and the one-line refusals of a configure that changes nothing or both sets and clears an option.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { agentOptions, configureInput } from '../../src/cli/agent-flags.js';
import { flagsOf } from '../helpers/cli-flags.js';
import { ConvoError } from '../../src/client/errors.js';

let mcpFile: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'agent-flags-'));
  mcpFile = join(dir, 'mcp.json');
  await writeFile(mcpFile, JSON.stringify({ mcpServers: { notes: { command: 'notes-server', env: { K: '${K}' } } } }));
});

test('start: every agent flag becomes its option; MCP files are read, --add-dir made absolute', async () => {
  const flags = await flagsOf('start', [
    '--mcp-config',
    mcpFile,
    '--user-mcp-servers',
    '--disallowed-tools',
    'Bash(rm:*)',
    'WebFetch',
    '--add-dir',
    'lib',
    '/srv/data',
    '--effort',
    'high',
    '--fallback-model',
    'claude-haiku-4-5',
    '--max-turns',
    '8',
    '--json-schema',
    '{"type":"object"}',
    '--settings',
    '{"includeCoAuthoredBy":false}',
    '--max-cost-usd',
    '1.5',
    'first prompt',
  ]);
  expect(agentOptions(flags)).toEqual({
    mcpServers: { notes: { command: 'notes-server', env: { K: '${K}' } } },
    userMcpServers: true,
    disallowedTools: ['Bash(rm:*)', 'WebFetch'],
    addDirs: [resolve('lib'), '/srv/data'],
    effort: 'high',
    fallbackModel: 'claude-haiku-4-5',
    maxTurns: 8,
    jsonSchema: { type: 'object' },
    settings: { includeCoAuthoredBy: false },
    maxCostUsd: 1.5,
  });
  // Flags not given are not options at all (so that the workflow's defaults and the backend's apply).
  expect(agentOptions(await flagsOf('start', []))).toEqual({});
});

test('configure: set options, and --clear removes them (null)', async () => {
  const flags = await flagsOf('configure', [
    'c1',
    '--model',
    'claude-opus-4-5',
    '--allowed-tools',
    'Read',
    'Bash(echo:*)',
    '--max-cost-usd',
    '3',
    '--clear',
    'mcp-config',
    'max-turns',
  ]);
  expect(configureInput(flags)).toEqual({
    model: 'claude-opus-4-5',
    allowedTools: ['Read', 'Bash(echo:*)'],
    maxCostUsd: 3,
    mcpServers: null,
    maxTurns: null,
  });
});

test.each([
  [[], 'nothing to configure: give an option to set, or --clear OPTION'],
  [['--max-turns', '3', '--clear', 'max-turns'], '--clear max-turns and --max-turns both given: set it or clear it'],
  [['--mcp-config', '/no/such.json'], '/no/such.json: cannot read (ENOENT)'],
])('configure %j is refused: %s', async (args, message) => {
  const flags = await flagsOf('configure', ['c1', ...args]);
  let error: unknown;
  try {
    configureInput(flags);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConvoError);
  expect(error).toMatchObject({ code: 'InvalidOptions', message });
});
