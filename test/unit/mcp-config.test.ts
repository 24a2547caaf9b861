/**
 * `--mcp-config` files: Claude Code's `{"mcpServers": {...}}` documents, merged, checked with the McpServers schema,
 * and kept exactly as written (`${VAR}` references are expanded only on the worker).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeMcpConfigs, readMcpConfigs } from '../../src/client/mcp-config.js';
import { ConvoError } from '../../src/client/errors.js';

const doc = (source: string, mcpServers: unknown) => ({ source, text: JSON.stringify({ mcpServers }) });

/** The one-line InvalidOptions message `run` throws. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConvoError);
    expect((err as ConvoError).code).toBe('InvalidOptions');
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

test('several files merge; stdio, http and sse servers keep their values, ${VAR} references as written', () => {
  const servers = mergeMcpConfigs([
    doc('a.json', {
      files: { command: 'node', args: ['server.js', '--token', '${FILES_TOKEN}'], env: { KEY: '${FILES_KEY}' } },
    }),
    doc('b.json', {
      github: { type: 'http', url: 'https://mcp.example/${ORG}', headers: { Authorization: 'Bearer ${GH_TOKEN}' } },
      events: { type: 'sse', url: 'http://127.0.0.1:9000/sse' },
    }),
  ]);
  expect(servers).toEqual({
    files: { command: 'node', args: ['server.js', '--token', '${FILES_TOKEN}'], env: { KEY: '${FILES_KEY}' } },
    github: { type: 'http', url: 'https://mcp.example/${ORG}', headers: { Authorization: 'Bearer ${GH_TOKEN}' } },
    events: { type: 'sse', url: 'http://127.0.0.1:9000/sse' },
  });
});

test('a name defined in two files is an error naming both', () => {
  expect(
    refusal(() =>
      mergeMcpConfigs([doc('a.json', { files: { command: 'x' } }), doc('b.json', { files: { command: 'y' } })]),
    ),
  ).toBe('b.json: MCP server "files" is already defined in a.json');
});

test.each([
  ['{not json', /^bad\.json: not JSON \(/],
  ['[]', /^bad\.json: no "mcpServers" object/],
  ['{"servers": {}}', /^bad\.json: no "mcpServers" object/],
  ['{"mcpServers": []}', /^bad\.json: "mcpServers" is not an object$/],
  ['{"mcpServers": {"x": {"args": ["a"]}}}', /^bad\.json: mcpServers\.x\.command: Invalid input: expected string/],
  [
    '{"mcpServers": {"x": {"type": "websocket", "url": "ws://h"}}}',
    /^bad\.json: mcpServers\.x\.type: "websocket" is not stdio, http or sse$/,
  ],
  ['{"mcpServers": {"x": {"type": "http"}}}', /^bad\.json: mcpServers\.x\.url: Invalid input: expected string/],
  ['{"mcpServers": {"x": {"command": "node", "cwd": "/tmp"}}}', /^bad\.json: mcpServers\.x: Unrecognized key: "cwd"$/],
  ['{"mcpServers": {"bad name": {"command": "node"}}}', /^bad\.json: mcpServers\.bad name: MCP server names are/],
  [
    '{"mcpServers": {"x": {"command": "node", "env": {"A": 1}}}}',
    /^bad\.json: mcpServers\.x\.env\.A: Invalid input: expected string, received number$/,
  ],
])('%s is refused in one line naming the file', (text, message) => {
  expect(refusal(() => mergeMcpConfigs([{ source: 'bad.json', text }]))).toMatch(message);
});

test('files are read from disk; one that cannot be read is named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-config-'));
  const file = join(dir, 'servers.json');
  await writeFile(file, JSON.stringify({ mcpServers: { echo: { command: 'echo', env: { T: '${T}' } } }, other: 1 }));
  expect(readMcpConfigs([file])).toEqual({ echo: { command: 'echo', env: { T: '${T}' } } });
  expect(refusal(() => readMcpConfigs([file, join(dir, 'missing.json')]))).toBe(
    `${join(dir, 'missing.json')}: cannot read (ENOENT)`,
  );
});
