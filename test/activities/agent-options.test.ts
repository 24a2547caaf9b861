/**
 * What a conversation equips its agent with, on Claude Code: the real `claude` binary against the scripted model
 * server, in a MockActivityEnvironment. MCP servers from the conversation's config (a real stdio server built on the
 * official SDK, given a `${VAR}` secret from the worker's environment), the clean environment, refused tool calls,
 * structured replies, the agent-step and budget caps, a context overflow, and a compaction turn.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turnBackend } from '../../src/activities/backends/claude/backend.js';
import { loadSettings } from '../../src/activities/backends/claude/settings.js';
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
const MCP_SECRET = 'mcp-secret-value-7f3a9c2e41';
const API_KEY = 'sk-ant-test-options-0123456789';
/** Convo's own secrets, in the worker's environment: none may reach the CLI. */
const CONVO_SECRETS = {
  CONVO_ENCRYPTION_KEY: 'convo-encryption-key-base64-AAAABBBBCCCC',
  CONVO_CODEC_AUTH_TOKEN: 'codec-token-ddddeeeeffff',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-gggghhhhiiii',
};

let model: ScriptedModelServer;
let dir: string;
let cwd: string;
let deps: TurnDeps;
const claude = turnBackend({ path: loadSettings().path, cliMaxRetries: 0 });
beforeAll(async () => {
  model = await ScriptedModelServer.start({ keepBodies: true });
  dir = await mkdtemp(join(tmpdir(), 'convo-options-'));
  cwd = join(dir, 'cwd');
  await mkdir(cwd);
  deps = testBackendDeps(dir, {
    PATH: process.env.PATH,
    HOME: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: API_KEY,
    MCP_TEST_SECRET: MCP_SECRET,
    EXTRA_VISIBLE: 'extra-visible-value',
    ...CONVO_SECRETS,
  });
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => model.clearScript());

const input = (prompt: string, options: Partial<ConversationOptionsInput> = {}, extra: Partial<TurnInput> = {}) => ({
  conversationId: 'c',
  turnIndex: 0,
  sessionId: crypto.randomUUID(),
  prompt,
  options: ConversationOptions.parse({ cwd, ...options }),
  transcript: [] as TranscriptSegment[],
  ...extra,
});
const turn = (i: TurnInput, d: TurnDeps = deps) =>
  quietActivityEnv().run<Parameters<typeof runBackendTurn>, TurnResult, typeof runBackendTurn>(
    runBackendTurn,
    claude,
    d,
    i,
  );
const mainFor = (prompt: string) => model.requests.filter((r) => r.hasTools && r.lastUserText === prompt);
/** What the turn added to the transcript (inline or claim-checked). */
const transcriptText = async (result: TurnResult) =>
  (await readSegments(deps.store, result.transcript.segments)).toString('utf8');
/** The text of the tool results a request carried. */
const toolResults = (body: string | undefined) =>
  JSON.stringify(
    (JSON.parse(body ?? '{}') as { messages: Array<{ content: unknown }> }).messages.map((m) => m.content),
  ).match(/sha256:[0-9a-f]+|env: [A-Za-z0-9_,]+/g) ?? [];

test('a stdio MCP server gets its ${VAR} secret on the worker; its tool result reaches the model, the secret nowhere', async () => {
  model.script([{ toolUse: { name: 'mcp__secret__secret_hash', input: {} } }, { text: 'hashed' }]);
  const result = await turn(
    input('hash the secret', {
      mcpServers: {
        secret: {
          type: 'stdio',
          command: 'node',
          args: [SECRET_SERVER],
          env: { MCP_TEST_SECRET: '${MCP_TEST_SECRET}' },
        },
      },
      // One rule allows every tool of the server.
      allowedTools: ['mcp__secret'],
    }),
  );
  expect(result.reply).toBe('hashed');
  expect(result.denials).toBeUndefined();
  const [first, second] = mainFor('hash the secret');
  const expected = `sha256:${createHash('sha256').update(MCP_SECRET).digest('hex').slice(0, 16)}`;
  const [hash, envLine] = toolResults(second?.body);
  expect(hash).toBe(expected);
  // The server got the variable its config names, not the CLI's API key.
  expect(envLine!.split(/[ ,]/)).toContain('MCP_TEST_SECRET');
  expect(envLine!.split(/[ ,]/)).not.toContain('ANTHROPIC_API_KEY');
  for (const request of [first, second]) expect(request!.body).not.toContain(MCP_SECRET);
  const transcript = await transcriptText(result);
  expect(transcript).toContain(expected);
  expect(transcript).not.toContain(MCP_SECRET);
  expect(JSON.stringify(result)).not.toContain(MCP_SECRET);
});

test('an MCP config naming a variable the worker lacks fails the turn at once, naming it', async () => {
  const i = input('no such variable', {
    mcpServers: {
      remote: {
        type: 'http',
        url: 'http://127.0.0.1:1/mcp',
        headers: { Authorization: 'Bearer ${NOT_ON_THIS_WORKER}' },
      },
    },
  });
  await expect(turn(i)).rejects.toMatchObject({
    type: 'InvalidRequest',
    nonRetryable: true,
    message: 'MCP server remote references ${NOT_ON_THIS_WORKER}, which is not set on this worker',
  });
  expect(mainFor('no such variable')).toHaveLength(0);
});

test("the CLI's tools never see Convo's own secrets, even when CONVO_CLI_ENV names them", async () => {
  model.script([
    { toolUse: { name: 'Bash', input: { command: 'env', description: 'print the environment' } } },
    { text: 'printed' },
  ]);
  const result = await turn(input('print the environment', { allowedTools: ['Bash'] }), {
    ...deps,
    cliEnvNames: ['EXTRA_VISIBLE', 'CONVO_ENCRYPTION_KEY', 'AWS_SECRET_ACCESS_KEY'],
  });
  expect(result.reply).toBe('printed');
  const second = mainFor('print the environment')[1]!;
  expect(second.body).toContain('EXTRA_VISIBLE=extra-visible-value');
  expect(second.body).toContain(`PATH=`);
  const transcript = await transcriptText(result);
  expect(transcript).toContain('EXTRA_VISIBLE=extra-visible-value');
  for (const [name, value] of Object.entries({ ...CONVO_SECRETS, MCP_TEST_SECRET: MCP_SECRET })) {
    expect(second.body).not.toContain(name);
    expect(second.body).not.toContain(value);
    expect(transcript).not.toContain(value);
  }
});

test('a tool call the CLI refuses is in the turn result, its input on one line', async () => {
  model.script([
    { toolUse: { name: 'Bash', input: { command: 'echo hi > out.txt', description: 'write a file' } } },
    { text: 'could not write' },
  ]);
  const result = await turn(input('write hello'));
  expect(result.reply).toBe('could not write');
  expect(result.denials).toEqual([{ tool: 'Bash', input: 'echo hi > out.txt' }]);
  await expect(readFile(join(cwd, 'out.txt'))).rejects.toThrow();
});

test('with a JSON schema the reply is the validated object', async () => {
  model.script({ toolUse: { name: 'StructuredOutput', input: { answer: 42 } } });
  const result = await turn(
    input('the answer', {
      jsonSchema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] },
    }),
  );
  expect(result.structured).toEqual({ answer: 42 });
  expect(result.reply).toBe('{"answer":42}');
});

test('maxTurns bounds a tool loop: the turn completes after that many model calls, saying so', async () => {
  model.script({ toolUse: { name: 'Bash', input: { command: 'echo step', description: 'step' } }, times: 10 });
  const result = await turn(input('loop forever', { allowedTools: ['Bash'], maxTurns: 2 }));
  expect(mainFor('loop forever')).toHaveLength(2);
  expect(result.reply).toBe('Reached maximum number of turns (2)');
  expect(await transcriptText(result)).toContain('echo step');
});

test("the remaining budget caps the CLI's spending: the turn completes at the cap, its cost reported", async () => {
  model.script({ toolUse: { name: 'Bash', input: { command: 'echo step', description: 'step' } }, times: 10 });
  const result = await turn(input('spend', { allowedTools: ['Bash'] }, { remainingBudgetUsd: 0.01 }));
  expect(mainFor('spend')).toHaveLength(1);
  expect(result.reply).toBe('Reached maximum budget ($0.01)');
  expect(result.costUsd).toBeGreaterThan(0.01);
});

test('a 400 "prompt is too long" the CLI cannot compact away fails the turn with ContextOverflow', async () => {
  model.script({
    error: {
      status: 400,
      type: 'invalid_request_error',
      message: 'prompt is too long: 210000 tokens > 200000 maximum',
    },
  });
  await expect(turn(input('too long'))).rejects.toMatchObject({
    type: 'ContextOverflow',
    nonRetryable: true,
    message: expect.stringMatching(/^Prompt is too long/),
  });
});

test("a compaction turn runs the CLI's /compact on the session; the next turn continues from its summary", async () => {
  const sessionId = crypto.randomUUID();
  const first = await turn(input('first question', {}, { sessionId }));
  let segments = first.transcript.segments;
  const compacted = await turn(input('ignored', {}, { sessionId, transcript: segments, kind: 'compact' }));
  const summaryRequest = model.requests.at(-1)!;
  expect(summaryRequest.lastUserText).toMatch(/^CRITICAL: Respond with TEXT ONLY/);
  expect(await transcriptText(compacted)).toContain('"subtype":"compact_boundary"');
  expect(compacted.reply).toBe('');
  segments =
    compacted.transcript.mode === 'append'
      ? [...segments, ...compacted.transcript.segments]
      : compacted.transcript.segments;
  const next = await turn(input('after compaction', {}, { sessionId, transcript: segments }));
  // The summary and the new prompt reach the model; the first question, summarised, does not come back verbatim.
  const request = JSON.stringify(model.requests.at(-1)!.messages);
  expect(request).toContain('This session is being continued from a previous conversation');
  expect(request).toContain('after compaction');
  expect(next.reply).toMatch(/^Received \d+ messages/);
});

test('options the backend cannot honour, and a compaction with no session, are refused before the CLI runs', async () => {
  await expect(turn(input('env in settings', { settings: { env: { X: '1' } } }))).rejects.toMatchObject({
    type: 'InvalidRequest',
    nonRetryable: true,
    message: expect.stringMatching(/^settings\.env is refused/),
  });
  await expect(turn(input('nothing yet', {}, { kind: 'compact' }))).rejects.toMatchObject({
    type: 'InvalidRequest',
    message: 'a conversation with no session has nothing to compact',
  });
});

test('effort, fallback model, extra directories, deny rules and settings reach the CLI', async () => {
  const extra = join(dir, 'extra-dir');
  await mkdir(extra, { recursive: true });
  model.script([
    { toolUse: { name: 'Bash', input: { command: 'touch settings-proof.txt', description: 'touch' } } },
    { toolUse: { name: 'Bash', input: { command: 'rm -f settings-proof.txt', description: 'remove' } } },
    { text: 'ok' },
  ]);
  const result = await turn(
    input('all the options', {
      effort: 'high',
      fallbackModel: 'claude-haiku-4-5',
      addDirs: [extra],
      disallowedTools: ['Bash(rm:*)'],
      settings: { permissions: { allow: ['Bash(touch:*)', 'Bash(rm:*)'] } },
    }),
  );
  expect(result.reply).toBe('ok');
  const first = mainFor('all the options')[0]!;
  expect(first.body).toContain('"effort":"high"');
  expect(first.body).toContain(extra);
  // The settings' rule let the file be made (Claude Code asks before a command creates one, which --print refuses);
  // the deny rule wins over the settings' allow.
  await expect(readFile(join(cwd, 'settings-proof.txt'))).resolves.toBeDefined();
  expect(result.denials).toEqual([{ tool: 'Bash', input: 'rm -f settings-proof.txt' }]);
});

test('a fallback model takes over after three overloaded answers', async () => {
  model.script({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' }, times: 3 });
  const result = await turn(input('overloaded', { fallbackModel: 'claude-haiku-4-5' }));
  const requests = mainFor('overloaded');
  const main = requests[0]!.model;
  expect(main).not.toBe('claude-haiku-4-5');
  expect(requests.map((r) => [r.model, r.answer])).toEqual([
    [main, '529'],
    [main, '529'],
    [main, '529'],
    ['claude-haiku-4-5', 'text'],
  ]);
  expect(result.reply).toBe('Received 1 messages. Last user text: "overloaded"');
});
