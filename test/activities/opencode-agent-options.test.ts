/**
 * What a conversation equips its agent with, on opencode: the real `opencode` binary against the scripted model
 * server, in a MockActivityEnvironment. The conversation's MCP servers through opencode's own `mcp` config (the same
 * real stdio server as on Claude Code, with its `${VAR}` secret), the clean environment, the agent-step cap, deny
 * rules, a context overflow, and the options opencode has no equivalent for.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turnBackend } from '../../src/activities/backends/opencode/backend.js';
import { loadSettings, type OpencodeSettings } from '../../src/activities/backends/opencode/settings.js';
import { runBackendTurn, type TurnDeps } from '../../src/activities/turn/run-turn.js';
import { readSegments } from '../../src/activities/turn/transcript-segments.js';
import {
  ConversationOptions,
  type ConversationOptionsInput,
  type TranscriptSegment,
  type TurnInput,
  type TurnResult,
} from '../../src/common/conversation.js';
import { ScriptedModelServer } from '../../src/testing/index.js';
import { quietActivityEnv, testBackendDeps } from '../helpers/activity.js';

const SECRET_SERVER = fileURLToPath(new URL('../fixtures/mcp/secret-server.mjs', import.meta.url));
const MCP_SECRET = 'mcp-secret-value-opencode-5b8d1e';
const CONVO_SECRETS = {
  CONVO_ENCRYPTION_KEY: 'convo-encryption-key-base64-OOOOPPPPQQQQ',
  CONVO_CODEC_AUTH_TOKEN: 'codec-token-rrrrsssstttt',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-uuuuvvvvwwww',
};

let model: ScriptedModelServer;
let dir: string;
let cwd: string;
let deps: TurnDeps;
let settings: OpencodeSettings;
beforeAll(async () => {
  model = await ScriptedModelServer.start({ keepBodies: true });
  dir = await mkdtemp(join(tmpdir(), 'convo-opencode-options-'));
  cwd = join(dir, 'cwd');
  await mkdir(cwd);
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-opencode-options-0123',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    MCP_TEST_SECRET: MCP_SECRET,
    ...CONVO_SECRETS,
  };
  deps = testBackendDeps(dir, env);
  settings = loadSettings(env);
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => model.clearScript());

const input = (prompt: string, options: Partial<ConversationOptionsInput> = {}): TurnInput => ({
  conversationId: 'c',
  turnIndex: 0,
  sessionId: crypto.randomUUID(),
  prompt,
  options: ConversationOptions.parse({ backend: 'opencode', cwd, title: 't', ...options }),
  transcript: [] as TranscriptSegment[],
});
const turn = (i: TurnInput) =>
  quietActivityEnv().run<Parameters<typeof runBackendTurn>, TurnResult, typeof runBackendTurn>(
    runBackendTurn,
    turnBackend(settings),
    deps,
    i,
  );
const mainFor = (prompt: string) => model.requests.filter((r) => r.hasTools && r.lastUserText === prompt);
const transcriptText = async (result: TurnResult) =>
  (await readSegments(deps.store, result.transcript.segments)).toString('utf8');

test('a stdio MCP server from the conversation reaches opencode through its mcp config, with its ${VAR} secret', async () => {
  model.script([{ toolUse: { name: 'secret_secret_hash', input: {} } }, { text: 'hashed' }]);
  const result = await turn(
    input('hash the secret', {
      mcpServers: {
        secret: { command: 'node', args: [SECRET_SERVER], env: { MCP_TEST_SECRET: '${MCP_TEST_SECRET}' } },
      },
    }),
  );
  const [first, second] = mainFor('hash the secret');
  const expected = `sha256:${createHash('sha256').update(MCP_SECRET).digest('hex').slice(0, 16)}`;
  expect(first!.tools).toContain('secret_secret_hash');
  expect(second!.body).toContain(expected);
  // The server got the variable its config names, not opencode's API key.
  expect(second!.body).toMatch(/env: [A-Z_,]*MCP_TEST_SECRET/);
  expect(second!.body).not.toContain('ANTHROPIC_API_KEY');
  expect(result.reply).toBe('hashed');
  for (const request of [first, second]) expect(request!.body).not.toContain(MCP_SECRET);
  const transcript = await transcriptText(result);
  expect(transcript).toContain(expected);
  expect(transcript).not.toContain(MCP_SECRET);
  expect(JSON.stringify(result)).not.toContain(MCP_SECRET);
});

test("opencode's tools never see Convo's own secrets", async () => {
  model.script([
    { toolUse: { name: 'bash', input: { command: 'env', description: 'print the environment' } } },
    { text: 'printed' },
  ]);
  const result = await turn(input('print the environment'));
  const second = mainFor('print the environment')[1]!;
  expect(second.body).toContain('PATH=');
  for (const [name, value] of Object.entries({ ...CONVO_SECRETS, MCP_TEST_SECRET: MCP_SECRET })) {
    expect(second.body).not.toContain(name);
    expect(second.body).not.toContain(value);
  }
  expect(result.reply).toBe('printed');
});

test("maxTurns is opencode's step bound; a model that calls tools past it is stopped", async () => {
  model.script({ toolUse: { name: 'bash', input: { command: 'echo step', description: 'step' } }, times: 10 });
  await expect(turn(input('loop forever', { maxTurns: 2 }))).rejects.toMatchObject({
    type: 'InvalidRequest',
    nonRetryable: true,
    message: 'opencode went past maxTurns (2): the model called tools after its last step; it was stopped',
  });
  const requests = mainFor('loop forever');
  // opencode tells the model at its last step that tools are off.
  expect(JSON.stringify(requests[1]!.messages)).toContain('MAXIMUM STEPS REACHED');
  expect(requests.length).toBeLessThanOrEqual(4);
});

test('a model that stops at the step bound completes its turn', async () => {
  model.script([
    { toolUse: { name: 'bash', input: { command: 'echo step', description: 'step' } } },
    { text: 'stopped' },
  ]);
  const result = await turn(input('two steps', { maxTurns: 2 }));
  expect(result.reply).toBe('stopped');
  expect(result.numTurns).toBe(2);
});

test('deny rules: a Bash pattern refuses the call, with its input; a denied tool is not offered', async () => {
  model.script([
    { toolUse: { name: 'bash', input: { command: 'rm -f nothing.txt', description: 'remove' } } },
    { toolUse: { name: 'webfetch', input: { url: 'http://127.0.0.1:1/', format: 'text' } } },
    { text: 'refused' },
  ]);
  const result = await turn(input('remove it', { disallowedTools: ['Bash(rm:*)', 'WebFetch'] }));
  expect(result.reply).toBe('refused');
  expect(mainFor('remove it')[0]!.tools).not.toContain('webfetch');
  expect(mainFor('remove it')[0]!.tools).toContain('bash');
  expect(result.denials).toEqual([
    { tool: 'bash', input: 'rm -f nothing.txt' },
    { tool: 'webfetch', input: '' },
  ]);
});

test('a 400 "prompt is too long" that opencode cannot compact away is ContextOverflow', async () => {
  model.script({
    error: {
      status: 400,
      type: 'invalid_request_error',
      message: 'prompt is too long: 210000 tokens > 200000 maximum',
    },
    times: Infinity,
  });
  // Whichever comes first ends the run: the relay's sight of the 400 (the run is stopped, no errorName) or opencode's
  // own ContextOverflowError event; the turn's error is the same.
  await expect(turn(input('too long'))).rejects.toMatchObject({
    type: 'ContextOverflow',
    nonRetryable: true,
    message: expect.stringContaining('prompt is too long'),
    details: [expect.objectContaining({ apiErrorStatus: 400 })],
  });
});

test('options opencode has no equivalent for, and compaction on demand, are refused before it runs', async () => {
  await expect(turn(input('schema', { jsonSchema: { type: 'object' } }))).rejects.toMatchObject({
    type: 'InvalidRequest',
    nonRetryable: true,
    message: 'opencode has no equivalent of --json-schema (jsonSchema)',
  });
  const compact = {
    ...input('compact'),
    transcript: [{ kind: 'inline' as const, data: '{}\n' }],
    kind: 'compact' as const,
  };
  await expect(turn(compact)).rejects.toMatchObject({
    type: 'InvalidRequest',
    message: 'opencode cannot compact a session on demand (it compacts by itself when the context overflows)',
  });
});
