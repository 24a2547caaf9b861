/**
 * The opencode backend's turn in a MockActivityEnvironment, with the real `opencode` binary against the scripted model
 * server: a session carried from turn to turn through its transcript, a tool call seen in the heartbeats, failures
 * stopped at the first refusal, the loop and hung bounds, cancellation.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { turnBackend } from '../../src/activities/backends/opencode/backend.js';
import { loadSettings, type OpencodeSettings } from '../../src/activities/backends/opencode/settings.js';
import { runBackendTurn, type TurnDeps } from '../../src/activities/turn/run-turn.js';
import {
  ConversationOptions,
  type TranscriptSegment,
  type TurnInput,
  type TurnProgress,
  type TurnResult,
} from '../../src/common/conversation.js';
import { conversationLength, ScriptedModelServer } from '../../src/testing/index.js';
import { quietActivityEnv, testBackendDeps } from '../helpers/activity.js';
import { opencodeProcessesIn } from '../helpers/processes.js';

let model: ScriptedModelServer;
let dir: string;
let cwd: string;
let deps: TurnDeps & { opencode: OpencodeSettings };
const API_KEY = 'sk-ant-test-opencode-0123456789';
beforeAll(async () => {
  model = await ScriptedModelServer.start();
  dir = await mkdtemp(join(tmpdir(), 'convo-opencode-activity-'));
  cwd = join(dir, 'cwd');
  await mkdir(cwd);
  // PWD names another directory, as in a worker started elsewhere: opencode must still run in the conversation's cwd.
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    PWD: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: API_KEY,
    OPENCODE_DISABLE_MODELS_FETCH: '1',
  };
  deps = { ...testBackendDeps(dir, env), opencode: loadSettings(env) };
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => model.clearScript());

const mockEnv = quietActivityEnv;
const input = (prompt: string, transcript: TranscriptSegment[] = []): TurnInput => ({
  conversationId: 'c',
  turnIndex: 0,
  sessionId: crypto.randomUUID(),
  prompt,
  options: ConversationOptions.parse({ backend: 'opencode', cwd }),
  transcript,
});
const turn = (i: TurnInput, env = mockEnv(), d = deps) =>
  env.run<Parameters<typeof runBackendTurn>, TurnResult, typeof runBackendTurn>(
    runBackendTurn,
    turnBackend(d.opencode),
    d,
    i,
  );
const mainFor = (prompt: string) => model.requests.filter((r) => r.hasTools && r.lastUserText === prompt);
const turnDirs = async () => (await readdir(dir)).filter((f) => f.startsWith('convo-turn-'));

test('a session is carried from turn to turn through the transcript, which only grows', async () => {
  const first = await turn(input('first question'));
  expect(first.reply).toBe('Received 1 messages. Last user text: "first question"');
  expect(first.numTurns).toBe(1);
  expect(first.usage!.inputTokens).toBeGreaterThan(0);
  expect(first.transcript.mode).toBe('append');
  const firstLines = (first.transcript.segments[0] as { data: string }).data
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; info: { id: string; title?: string } });
  expect(firstLines.map((l) => l.type)).toEqual(['session', 'message', 'message']);
  const sessionId = firstLines[0]!.info.id;
  expect(sessionId).toMatch(/^ses_/);
  // The first turn's title request went to the small model, without tools, and got the scripted server's title.
  expect(model.requests.some((r) => !r.hasTools && /title/i.test(r.system))).toBe(true);
  expect(firstLines[0]!.info.title).toBe('Title: first question');

  const second = await turn(input('second question', first.transcript.segments));
  expect(second.reply).toBe('Received 3 messages. Last user text: "second question"');
  expect(second.transcript.mode).toBe('append');
  const added = (second.transcript.segments[0] as { data: string }).data
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; info: { sessionID: string } });
  expect(added.map((l) => [l.type, l.info.sessionID])).toEqual([
    ['message', sessionId],
    ['message', sessionId],
  ]);
  const request = mainFor('second question')[0]!;
  expect(conversationLength(request.messages)).toBe(3);
  expect(JSON.stringify(request.messages)).toContain('first question');
  // Both turns went through the relay, one main request each; nothing is left on the worker.
  expect(mainFor('first question')).toHaveLength(1);
  expect(await turnDirs()).toEqual([]);
});

test("a conversation's options reach opencode: system prompt, appended instructions, title, model", async () => {
  const before = model.requests.length;
  const i = input('with options');
  i.options = {
    ...i.options,
    systemPrompt: 'You are the Convo test agent.',
    appendSystemPrompt: 'Always answer in one line.',
    title: 'given title',
    model: 'claude-opus-4-5',
  };
  const result = await turn(i);
  expect(result.reply).toBe('Received 1 messages. Last user text: "with options"');
  const requests = model.requests.slice(before);
  // With a title given, opencode asks for none: the only request is the agent loop's.
  expect(requests.map((r) => [r.hasTools, r.model])).toEqual([[true, 'claude-opus-4-5']]);
  expect(requests[0]!.system).toContain('You are the Convo test agent.');
  expect(requests[0]!.system).toContain('Always answer in one line.');
  const session = JSON.parse((result.transcript.segments[0] as { data: string }).data.split('\n')[0]!) as {
    info: { title: string };
  };
  expect(session.info.title).toBe('given title');
});

test('a tool call runs in the cwd and shows in the heartbeats with its input', async () => {
  const command = 'echo "from opencode" > opencode-tool.txt';
  model.script([
    { text: 'Writing.', toolUse: { name: 'bash', input: { command, description: 'write a file' } } },
    { text: 'Done writing.' },
  ]);
  const env = mockEnv();
  const beats: TurnProgress[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d as TurnProgress));
  const result = await turn(input('write it'), env);
  expect(result.reply).toBe('Done writing.');
  expect(result.numTurns).toBe(2);
  expect(await readFile(join(cwd, 'opencode-tool.txt'), 'utf8')).toBe('from opencode\n');
  expect(beats.at(-1)).toMatchObject({ toolCalls: 1, lastTool: 'bash', lastToolInput: command });
  // Live events: opencode's whole text parts, and the call with its result once it finished, numbered from 0.
  expect(beats.at(-1)).toMatchObject({
    text: 'Done writing.',
    live: [
      { type: 'text', text: 'Writing.', seq: 0 },
      { type: 'tool_call', tool: 'bash', input: command, seq: 1 },
      { type: 'tool_result', tool: 'bash', seq: 2 },
      { type: 'text', text: 'Done writing.', seq: 3 },
    ],
  });
});

test('in plan mode opencode cannot write: the write tool is not offered and the file is not made', async () => {
  const target = join(cwd, 'planned.txt');
  model.script(
    [
      { text: 'Writing.', toolUse: { name: 'write', input: { filePath: target, content: 'no' } } },
      { text: 'Could not write.' },
    ],
    (r) => r.hasTools && r.lastUserText === 'plan only',
  );
  const planned = {
    ...input('plan only'),
    options: ConversationOptions.parse({ backend: 'opencode', cwd, permissionMode: 'plan' }),
  };
  const result = await turn(planned);
  expect(result.reply).toBe('Could not write.');
  expect(existsSync(target)).toBe(false);
  const tools = mainFor('plan only')[0]!.tools;
  expect(tools).not.toContain('write');
  expect(tools).not.toContain('bash');
  expect(tools).toContain('read');
});

test('a 429 with retry-after ends the run at the first refusal: UsageLimit until then', async () => {
  model.script({
    error: { status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '30' } },
    times: Infinity,
  });
  const before = Date.now();
  const failed = turn(input('limited')).catch((e: unknown) => e);
  const err = (await failed) as {
    type: string;
    nonRetryable: boolean;
    message: string;
    details: Array<{ resetsAt: string; resetSource: string; apiErrorStatus: number }>;
  };
  expect(err).toMatchObject({ type: 'UsageLimit', nonRetryable: true, message: 'API Error: 429 slow down' });
  const resetsAt = Date.parse(err.details[0]!.resetsAt);
  expect(resetsAt).toBeGreaterThanOrEqual(before + 30_000);
  expect(resetsAt).toBeLessThan(Date.now() + 30_000);
  expect(err.details[0]).toMatchObject({ resetSource: 'retry-after', apiErrorStatus: 429 });
  // opencode did not retry it: one request reached the model, and no opencode is left running.
  expect(mainFor('limited')).toHaveLength(1);
  expect(await opencodeProcessesIn(dir)).toEqual([]);
});

test('a 500 is a retryable ServerError after one request; a 401 is Authentication', async () => {
  model.script(
    { error: { status: 500, type: 'api_error', message: 'Internal server error' }, times: Infinity },
    (r) => r.hasTools && r.lastUserText === 'five hundred',
  );
  await expect(turn(input('five hundred'))).rejects.toMatchObject({
    type: 'ServerError',
    nonRetryable: false,
    message: 'API Error: 500 Internal server error',
  });
  expect(mainFor('five hundred')).toHaveLength(1);

  model.script(
    { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' }, times: Infinity },
    (r) => r.hasTools && r.lastUserText === 'who',
  );
  await expect(turn(input('who'))).rejects.toMatchObject({
    type: 'Authentication',
    nonRetryable: true,
    message: 'API Error: 401 invalid x-api-key',
    details: [expect.objectContaining({ exitCode: 1, errorName: 'APIError', apiErrorStatus: 401 })],
  });
  expect(mainFor('who')).toHaveLength(1);
});

test('a reply opencode cannot read makes it loop; the loop bound ends it with Hung', async () => {
  model.script({ text: 'plain JSON', format: 'json', times: Infinity });
  const started = Date.now();
  await expect(turn(input('loop please'))).rejects.toMatchObject({
    type: 'Hung',
    nonRetryable: false,
    message: 'opencode looped: 25 model calls in a row came back empty (finish reason "unknown"); it was killed',
  });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(await opencodeProcessesIn(dir)).toEqual([]);
});

test('a model call that never answers ends with Hung after the no-progress bound', async () => {
  let release!: () => void;
  model.script({ text: 'too late', hold: new Promise<void>((r) => (release = r)) });
  try {
    await expect(turn(input('hang'), mockEnv(), { ...deps, hungAfterMs: 3000 })).rejects.toMatchObject({
      type: 'Hung',
      message: 'opencode made no progress for 3 s and was killed',
    });
  } finally {
    release();
  }
  expect(await opencodeProcessesIn(dir)).toEqual([]);
});

test('cancelling a turn kills opencode and the tool processes it started', async () => {
  const pidFile = join(dir, 'opencode-tool.pid');
  model.script({
    toolUse: { name: 'bash', input: { command: `echo $$ > ${pidFile}; sleep 300`, description: 'sleep' } },
  });
  const env = mockEnv();
  const running = turn(input('sleep long'), env);
  let toolPid = 0;
  for (
    const deadline = Date.now() + 30_000;
    !toolPid && Date.now() < deadline;
    await new Promise((r) => setTimeout(r, 100))
  ) {
    toolPid = Number(await readFile(pidFile, 'utf8').catch(() => '')) || 0;
  }
  expect(toolPid).toBeGreaterThan(0);
  env.cancel();
  await expect(running).rejects.toThrow(CancelledFailure);
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (
      (await opencodeProcessesIn(dir)).length === 0 &&
      !(await readFile(`/proc/${toolPid}/cmdline`).catch(() => undefined))
    )
      break;
  }
  expect(await readFile(`/proc/${toolPid}/cmdline`).catch(() => undefined)).toBeUndefined();
  expect(await opencodeProcessesIn(dir)).toEqual([]);
  expect(await turnDirs()).toEqual([]);
});

test('a transcript that is not an opencode session fails with TranscriptInvalid before running opencode', async () => {
  const before = model.requests.length;
  await expect(turn(input('bad', [{ kind: 'inline', data: '{"type":"message"}\n' }]))).rejects.toMatchObject({
    type: 'TranscriptInvalid',
    nonRetryable: true,
  });
  expect(model.requests.length).toBe(before);
});
