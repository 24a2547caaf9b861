/**
 * Warm sessions in the Claude Code turn activity, with the real `claude` against the scripted model server: a kept
 * live process answers the next turn, and is used only when its options and transcript are exactly the turn's; it is
 * ended (dir and all) when a turn fails, is cancelled, or does not fit a live process.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { turnBackend } from '../../src/activities/backends/claude/backend.js';
import { loadSettings } from '../../src/activities/backends/claude/settings.js';
import { runBackendTurn, type TurnDeps } from '../../src/activities/turn/run-turn.js';
import { readSegments } from '../../src/activities/turn/transcript-segments.js';
import { CLI_PGID_FILE } from '../../src/activities/turn/turn-dir.js';
import { WarmPool } from '../../src/activities/warm/pool.js';
import {
  ConversationOptions,
  type ConversationOptionsInput,
  type TranscriptSegment,
  type TurnInput,
  type TurnResult,
} from '../../src/common/conversation.js';
import { ScriptedModelServer } from '../../src/testing/index.js';
import { quietActivityEnv, testBackendDeps } from '../helpers/activity.js';

let model: ScriptedModelServer;
let dir: string;
let pool: WarmPool;
let deps: TurnDeps;
const claude = turnBackend({ path: loadSettings().path, cliMaxRetries: 0 });

beforeAll(async () => {
  model = await ScriptedModelServer.start();
  dir = await mkdtemp(join(tmpdir(), 'convo-warm-turn-'));
});
beforeEach(() => {
  pool = new WarmPool({ max: 4, idleMs: 60_000, taskQueue: 'q-warm-test' });
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-ant-warm-0123456789',
  };
  deps = { ...testBackendDeps(dir, env), warm: pool };
});
const runClaudeTurn = (d: TurnDeps, i: TurnInput): Promise<TurnResult> => runBackendTurn(claude, d, i);

afterEach(async () => {
  model.clearScript();
  await pool.close();
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A conversation's turns as the workflow runs them: each with the transcript the previous ones left. */
class Conversation {
  readonly sessionId = crypto.randomUUID();
  transcript: TranscriptSegment[] = [];
  turns = 0;
  constructor(
    readonly id: string,
    public options: ConversationOptionsInput = { cwd: dir },
  ) {}

  input(prompt: string, extra: Partial<TurnInput> = {}): TurnInput {
    return {
      conversationId: this.id,
      turnIndex: this.turns,
      sessionId: this.sessionId,
      prompt,
      options: ConversationOptions.parse(this.options),
      transcript: this.transcript,
      ...extra,
    };
  }

  async ask(prompt: string, extra: Partial<TurnInput> = {}): Promise<TurnResult> {
    const result = await quietActivityEnv().run<[TurnDeps, TurnInput], TurnResult, typeof runClaudeTurn>(
      runClaudeTurn,
      deps,
      this.input(prompt, extra),
    );
    this.apply(result);
    return result;
  }

  apply(result: TurnResult): void {
    const { mode, segments } = result.transcript;
    this.transcript = mode === 'append' ? [...this.transcript, ...segments] : segments;
    this.turns++;
  }
}

/** The turn dirs under `dir` (live sessions' dirs included), each with the CLI pid it holds. */
async function sessionDirs(): Promise<Array<{ name: string; pid: number }>> {
  const names = (await readdir(dir)).filter((n) => n.startsWith('convo-turn-'));
  return Promise.all(
    names.map(async (name) => ({
      name,
      pid: Number(await readFile(join(dir, name, CLI_PGID_FILE), 'utf8').catch(() => '0')),
    })),
  );
}

/** The kept session of conversation `id`: its dir's name and its CLI's pid (it stays kept). */
function kept(id: string): { name: string; pid: number } | undefined {
  const session = pool.take(id);
  if (!session) return undefined;
  pool.park(session);
  return { name: basename(session.dir), pid: session.process.pid! };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the kept process answers the next turns with the whole history, appending to the same transcript', async () => {
  const c = new Conversation('warm-same');
  const first = await c.ask('first');
  expect(first).toMatchObject({
    reply: 'Received 1 messages. Last user text: "first"',
    warm: { taskQueue: 'q-warm-test' },
  });
  const session = kept('warm-same');
  expect(await sessionDirs()).toEqual([session]);
  expect(alive(session!.pid)).toBe(true);

  const second = await c.ask('second');
  expect(second).toMatchObject({
    reply: 'Received 3 messages. Last user text: "second"',
    warm: { taskQueue: 'q-warm-test' },
  });
  const third = await c.ask('third');
  expect(third.reply).toBe('Received 5 messages. Last user text: "third"');
  expect(third.costUsd).toBeGreaterThan(0);
  // The run's own cost, not the session's total so far.
  expect(third.costUsd).toBeLessThan(first.costUsd! * 1.5);
  // One process served all three turns; its file is the transcript the workflow now holds, byte for byte.
  expect(kept('warm-same')).toEqual(session);
  expect(alive(session!.pid)).toBe(true);
  const held = await readSegments(deps.store, c.transcript);
  const file = (await readdir(join(dir, session!.name, 'projects'), { recursive: true })).find((f) =>
    f.endsWith('.jsonl'),
  )!;
  expect(held.equals(await readFile(join(dir, session!.name, 'projects', file)))).toBe(true);
  expect(second.transcript.mode).toBe('append');
  await pool.close();
  expect(alive(session!.pid)).toBe(false);
  expect(await sessionDirs()).toEqual([]);
});

test("a warm turn reads nothing from the store while the conversation's segments are the ones its last turn ended with", async () => {
  const c = new Conversation('warm-store');
  await c.ask('one');
  // The first turn's transcript (the CLI's set-up records, over 100 KB) went to the store.
  expect(c.transcript.some((s) => s.kind === 'stored')).toBe(true);
  await rm(join(dir, 'store'), { recursive: true, force: true });
  expect((await c.ask('two')).reply).toBe('Received 3 messages. Last user text: "two"');
  // A turn that must restore cannot do without it.
  await pool.close();
  await expect(c.ask('three')).rejects.toMatchObject({ type: 'TranscriptInvalid' });
});

test("a transcript that is not the process's own: the process is ended and the turn restores the workflow's", async () => {
  const c = new Conversation('warm-behind');
  await c.ask('one');
  const afterOne = c.transcript;
  await c.ask('two');
  const session = kept('warm-behind');
  // The workflow holds the transcript after turn one only (say, turn two's result never reached it).
  c.transcript = afterOne;
  const again = await c.ask('two again');
  expect(again.reply).toBe('Received 3 messages. Last user text: "two again"');
  expect(alive(session!.pid)).toBe(false);
  expect(kept('warm-behind')!.pid).not.toBe(session!.pid);
  expect(await sessionDirs()).toEqual([kept('warm-behind')]);
});

test('changed options end the process: the turn runs on a new one started with them', async () => {
  const c = new Conversation('warm-options');
  await c.ask('one');
  const session = kept('warm-options');
  c.options = { cwd: dir, model: 'claude-warm-test-model' };
  const two = await c.ask('two');
  expect(two.reply).toBe('Received 3 messages. Last user text: "two"');
  expect(model.mainRequests().at(-1)!.model).toBe('claude-warm-test-model');
  expect(alive(session!.pid)).toBe(false);
  expect(kept('warm-options')!.pid).not.toBe(session!.pid);
});

test('a turn that fails on the live process ends it and removes its dir', async () => {
  const c = new Conversation('warm-fails');
  await c.ask('one');
  const session = kept('warm-fails');
  model.script({ error: { status: 500, type: 'api_error', message: 'boom' } });
  await expect(c.ask('two')).rejects.toMatchObject({ type: 'ServerError', nonRetryable: false });
  await until(async () => !alive(session!.pid) && (await sessionDirs()).length === 0);
  // The retry restores the transcript and runs on a new process, which is kept again.
  const retried = await c.ask('two');
  expect(retried).toMatchObject({
    reply: 'Received 3 messages. Last user text: "two"',
    warm: { taskQueue: 'q-warm-test' },
  });
  await pool.end(pool.take('warm-fails')!);
});

test('cancelling a turn on the live process kills it and removes its dir', async () => {
  const c = new Conversation('warm-cancel');
  await c.ask('one');
  const session = kept('warm-cancel');
  let release!: () => void;
  model.script({ text: 'late', hold: new Promise<void>((r) => (release = r)) });
  const env = quietActivityEnv();
  const turn = env.run(runClaudeTurn, deps, c.input('held'));
  await until(() => model.mainRequests().at(-1)?.lastUserText === 'held');
  env.cancel();
  await expect(turn).rejects.toThrow(CancelledFailure);
  release();
  expect(alive(session!.pid)).toBe(false);
  expect(await sessionDirs()).toEqual([]);
  expect(pool.take('warm-cancel')).toBeUndefined();
});

test('turns that do not fit a live process run as before and keep nothing', async () => {
  const rules = new Conversation('warm-rules', { cwd: dir, approve: ['Bash'] });
  expect((await rules.ask('one')).warm).toBeUndefined();
  const budget = new Conversation('warm-budget');
  expect((await budget.ask('one', { remainingBudgetUsd: 5 })).warm).toBeUndefined();
  const slash = new Conversation('warm-slash');
  await slash.ask('one');
  const compacted = await slash.ask('/compact', { kind: 'compact' });
  expect(compacted.warm).toBeUndefined();
  expect(await sessionDirs()).toEqual([]);
});
