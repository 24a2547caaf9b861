/**
 * The Claude Code turn activity in a MockActivityEnvironment, with the real `claude` binary against the scripted
 * model server: live text in the heartbeat details, cancellation, a hung CLI, a CLI that dies mid-turn.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import type { TurnBackend } from '../../src/activities/backends/backend.js';
import { turnBackend } from '../../src/activities/backends/claude/backend.js';
import { loadSettings } from '../../src/activities/backends/claude/settings.js';
import { loadBackends, secretEnvVars } from '../../src/activities/backends/registry.js';
import { createActivities } from '../../src/activities/index.js';
import { runBackendTurn, type TurnDeps } from '../../src/activities/turn/run-turn.js';
import {
  ConversationOptions,
  type TurnInput,
  type TurnProgress,
  type TurnResult,
} from '../../src/common/conversation.js';
import { ScriptedModelServer } from '../../src/testing/index.js';
import { quietActivityEnv, testBackendDeps } from '../helpers/activity.js';

let model: ScriptedModelServer;
let dir: string;
let deps: TurnDeps;
let claude: TurnBackend;
beforeAll(async () => {
  model = await ScriptedModelServer.start();
  dir = await mkdtemp(join(tmpdir(), 'convo-activity-'));
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-activity-0123456789',
  };
  deps = testBackendDeps(dir, env);
  claude = turnBackend({ path: loadSettings().path, cliMaxRetries: 0 });
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => model.clearScript());

const mockEnv = quietActivityEnv;
const runClaudeTurn = (d: TurnDeps, i: TurnInput) => runBackendTurn(claude, d, i);

const input = (prompt: string): TurnInput => ({
  conversationId: 'c',
  turnIndex: 0,
  sessionId: crypto.randomUUID(),
  prompt,
  options: ConversationOptions.parse({ cwd: dir, allowedTools: ['Bash'] }),
  transcript: [],
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('cancelling a turn kills the CLI and the tool processes it started', async () => {
  const pidFile = join(dir, 'tool.pid');
  model.script({
    toolUse: { name: 'Bash', input: { command: `echo $$ > ${pidFile}; sleep 300`, description: 'sleep' } },
  });
  const env = mockEnv();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const turn = env.run(runClaudeTurn, deps, input('sleep for a long time'));

  const toolPid = await waitFor(async () => Number(await readFile(pidFile, 'utf8').catch(() => '')) || undefined);
  expect(alive(toolPid)).toBe(true);
  env.cancel();
  await expect(turn).rejects.toThrow(CancelledFailure);
  await waitFor(async () => (alive(toolPid) ? undefined : true), 10_000);
  expect(heartbeats.length).toBeGreaterThan(0);
  expect(heartbeats.at(-1)).toMatchObject({ lastTool: 'Bash' });
  // The private config dir is gone with the turn.
  expect((await readdir(dir)).filter((f) => f.startsWith('convo-turn-'))).toEqual([]);
});

test('the heartbeat details carry the live text as it is written, numbered, with a secret split across chunks redacted', async () => {
  const key = 'sk-ant-test-activity-0123456789';
  model.script({
    chunks: ['The key is sk-ant-', 'test-activity-0123', '456789, do not ', 'share it.'],
    chunkDelayMs: 300,
  });
  const env = mockEnv();
  const beats: TurnProgress[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d as TurnProgress));
  const result = await env.run<[TurnDeps, TurnInput], TurnResult, typeof runClaudeTurn>(
    runClaudeTurn,
    deps,
    input('tell me the key'),
  );
  expect(result.reply).toBe('The key is [redacted], do not share it.');
  const last = beats.at(-1)!;
  expect(last).toMatchObject({ turnIndex: 0, attempt: 1, text: 'The key is [redacted], do not share it.' });
  const texts = last.live!.filter((e) => e.type === 'text');
  expect(texts.map((e) => e.seq)).toEqual(texts.map((_, i) => texts[0]!.seq + i));
  expect(texts.map((e) => (e as { text: string }).text).join('')).toBe('The key is [redacted], do not share it.');
  // Beats came while the text was written, not only at the end.
  expect(beats.some((b) => b.text === 'The key is ')).toBe(true);
  expect(JSON.stringify(beats)).not.toContain(key);
});

test('a CLI that prints nothing for too long is killed and the turn fails with Hung', async () => {
  let release!: () => void;
  model.script({ text: 'too late', hold: new Promise<void>((r) => (release = r)) });
  const env = mockEnv();
  try {
    await expect(env.run(runClaudeTurn, { ...deps, hungAfterMs: 3000 }, input('hang'))).rejects.toMatchObject({
      type: 'Hung',
      nonRetryable: false,
      message: 'claude printed no event for 3 s and was killed',
    });
  } finally {
    release();
  }
});

test('a CLI killed mid-turn fails the turn with the signal in the message, retryably', async () => {
  model.script({ toolUse: { name: 'Bash', input: { command: 'kill -9 $PPID', description: 'die' } } });
  const env = mockEnv();
  await expect(env.run(runClaudeTurn, deps, input('die'))).rejects.toMatchObject({
    type: 'Unknown',
    nonRetryable: false,
    message: 'claude was killed by SIGKILL before it reported a result',
    details: [expect.objectContaining({ signal: 'SIGKILL', exitCode: null })],
  });
});

test('a turn on a backend this worker does not know fails at once, non-retryably, naming the known ones', async () => {
  const activities = createActivities({ ...deps, backends: loadBackends({ PATH: process.env.PATH }) });
  const unknown = { ...input('hello'), options: { ...input('hello').options, backend: 'nope' } };
  await expect(mockEnv().run(activities.runTurn, unknown)).rejects.toMatchObject({
    type: 'CliNotFound',
    nonRetryable: true,
    message: 'unknown backend nope (known: claude, opencode)',
  });
});

test("the worker's backends describe themselves in one line", () => {
  const backends = loadBackends({ PATH: process.env.PATH, CLAUDE_PATH: '/x/claude', OPENCODE_PATH: '/y/opencode' });
  expect(backends.describe()).toBe('claude at /x/claude, opencode at /y/opencode (anthropic/claude-sonnet-4-5)');
  expect(backends.get('claude')?.binaryPath).toBe('/x/claude');
  // Redaction covers every backend's secrets.
  expect(secretEnvVars().sort()).toEqual(
    [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_AUTH_TOKEN',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'GEMINI_API_KEY',
      'GOOGLE_GENERATIVE_AI_API_KEY',
      'OPENAI_API_KEY',
      'OPENROUTER_API_KEY',
    ].sort(),
  );
});
