/**
 * Tool calls that wait for a person, on Claude Code: the real `claude` binary against the scripted model server, in
 * a MockActivityEnvironment. A call matching an `approve` rule pauses the run (the turn returns it as `pending`, the
 * tool has not run); a run that continues the turn (empty stdin) gets the decision through Convo's hook; a call an
 * earlier attempt already ran is not run again.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { turnBackend } from '../../src/activities/backends/claude/backend.js';
import { loadSettings } from '../../src/activities/backends/claude/settings.js';
import { runBackendTurn, type TurnDeps } from '../../src/activities/turn/run-turn.js';
import type { ToolDecision } from '../../src/common/approvals.js';
import {
  ConversationOptions,
  type ConversationOptionsInput,
  type TranscriptSegment,
  type TurnInput,
  type TurnResult,
} from '../../src/common/conversation.js';
import { ScriptedModelServer } from '../../src/testing/index.js';
import { testBackendDeps } from '../helpers/activity.js';

let model: ScriptedModelServer;
let dir: string;
let cwd: string;
let deps: TurnDeps;
const claude = turnBackend({ path: loadSettings().path, cliMaxRetries: 0 });
beforeAll(async () => {
  model = await ScriptedModelServer.start();
  dir = await mkdtemp(join(tmpdir(), 'convo-approvals-'));
  cwd = join(dir, 'cwd');
  await mkdir(cwd);
  deps = testBackendDeps(dir, {
    PATH: process.env.PATH,
    HOME: dir,
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-ant-test-approvals-0123456789',
  });
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => model.clearScript());

/** A conversation's turns, run one after another as the workflow would: the transcript grows, decisions accumulate. */
class Conversation {
  readonly sessionId = crypto.randomUUID();
  transcript: TranscriptSegment[] = [];
  decisions: ToolDecision[] = [];
  heartbeats: unknown[] = [];
  constructor(readonly options: Partial<ConversationOptionsInput>) {}

  /** Runs a turn (or, with `continues`, the paused turn again), in an attempt whose earlier heartbeat was `details`. */
  async run(prompt: string, extra: { continues?: boolean; details?: unknown } = {}): Promise<TurnResult> {
    const input: TurnInput = {
      conversationId: 'c',
      turnIndex: 0,
      sessionId: this.sessionId,
      prompt,
      options: ConversationOptions.parse({ cwd, ...this.options }),
      transcript: this.transcript,
      ...(extra.continues && { continues: true, decisions: this.decisions }),
    };
    const env = new MockActivityEnvironment(
      { heartbeatDetails: extra.details },
      { logger: new DefaultLogger('ERROR', () => undefined) },
    );
    env.on('heartbeat', (d: unknown) => this.heartbeats.push(d));
    const result = await env.run<Parameters<typeof runBackendTurn>, TurnResult, typeof runBackendTurn>(
      runBackendTurn,
      claude,
      deps,
      input,
    );
    const t = result.transcript;
    this.transcript = t.mode === 'append' ? [...this.transcript, ...t.segments] : t.segments;
    return result;
  }

  decide(toolUseId: string, decision: ToolDecision['decision'], text?: string): void {
    this.decisions.push({ toolUseId, decision, text, by: 'tester', at: new Date().toISOString() });
  }
}

const bash = (command: string) => ({ name: 'Bash', input: { command, description: 'run it' } });
const lastRequest = () => JSON.stringify(model.mainRequests().at(-1)?.messages.slice(-2));
const fileIn = (name: string) => readFile(join(cwd, name), 'utf8').catch(() => undefined);

test('a Bash call matching `Bash` pauses the turn with the command pending; approved, it runs on the next run', async () => {
  model.script([{ toolUse: bash('echo approved > approved.txt') }, { text: 'wrote it' }]);
  const convo = new Conversation({ approve: ['Bash'] });
  const paused = await convo.run('write approved.txt');
  expect(paused.reply).toBe('');
  expect(paused.pending).toMatchObject({
    tool: 'Bash',
    input: { command: 'echo approved > approved.txt' },
    summary: 'echo approved > approved.txt',
    kind: 'approval',
    rule: 'Bash',
  });
  expect(await fileIn('approved.txt')).toBeUndefined();
  const requests = model.mainRequests().length;

  convo.decide(paused.pending!.toolUseId, 'allow');
  const done = await convo.run('', { continues: true });
  expect(done.pending).toBeUndefined();
  expect(done.reply).toBe('wrote it');
  expect(await fileIn('approved.txt')).toBe('approved\n');
  expect(model.mainRequests()).toHaveLength(requests + 1);
  expect(lastRequest()).toContain(`"tool_use_id":"${paused.pending!.toolUseId}"`);
  // The heartbeats say the approved call ran, with its output, for a retried attempt.
  expect(convo.heartbeats.at(-1)).toMatchObject({ ran: [{ toolUseId: paused.pending!.toolUseId }] });
});

test('a denied call does not run, and the model gets the reason', async () => {
  model.script([{ toolUse: bash('echo denied > denied.txt') }, { text: 'ok, not writing' }]);
  const convo = new Conversation({ approve: ['Bash(echo:*)'] });
  const paused = await convo.run('write denied.txt');
  expect(paused.pending).toMatchObject({ rule: 'Bash(echo:*)' });
  convo.decide(paused.pending!.toolUseId, 'deny', 'No files today, please.');
  const done = await convo.run('', { continues: true });
  expect(done.reply).toBe('ok, not writing');
  expect(await fileIn('denied.txt')).toBeUndefined();
  expect(lastRequest()).toContain('No files today, please.');
});

test('two calls in one message wait in turn: the second is made again and waits after the first is decided', async () => {
  model.script([
    { toolUses: [bash('echo one >> two.txt'), bash('echo two >> two.txt')] },
    { toolUse: bash('echo two >> two.txt') },
    { text: 'both done' },
  ]);
  const convo = new Conversation({ approve: ['Bash'] });
  const first = await convo.run('write two lines');
  expect(first.pending).toMatchObject({ summary: 'echo one >> two.txt' });
  convo.decide(first.pending!.toolUseId, 'allow');
  const second = await convo.run('', { continues: true });
  // The first ran; the second was not run (the model was told to make it again) and now waits on its own.
  expect(await fileIn('two.txt')).toBe('one\n');
  expect(lastRequest()).toContain('Make this call again after that one is decided');
  expect(second.pending).toMatchObject({ summary: 'echo two >> two.txt' });
  expect(second.pending!.toolUseId).not.toBe(first.pending!.toolUseId);
  convo.decide(second.pending!.toolUseId, 'allow');
  const done = await convo.run('', { continues: true });
  expect(done.reply).toBe('both done');
  expect(await fileIn('two.txt')).toBe('one\ntwo\n');
});

test('a call no rule matches follows the usual permissions: allowed by allowedTools, it runs without pausing', async () => {
  model.script([{ toolUse: bash('echo free > free.txt') }, { text: 'free' }]);
  const convo = new Conversation({ approve: ['Bash(git push:*)', 'Write'], allowedTools: ['Bash'] });
  const done = await convo.run('write free.txt');
  expect(done.pending).toBeUndefined();
  expect(done.reply).toBe('free');
  expect(await fileIn('free.txt')).toBe('free\n');
});

test('a continued run whose earlier attempt ran the approved call does not run it again; the model gets its output', async () => {
  model.script([{ toolUse: bash('echo once >> once.txt; echo appended') }, { text: 'appended once' }]);
  const convo = new Conversation({ approve: ['Bash'] });
  const paused = await convo.run('append a line');
  const id = paused.pending!.toolUseId;
  convo.decide(id, 'allow');
  // The attempt that ran it died after its heartbeat; this is the retry, from the transcript captured at the pause.
  const details = { events: 3, toolCalls: 1, elapsedMs: 900, ran: [{ toolUseId: id, output: 'appended' }] };
  const done = await convo.run('', { continues: true, details });
  expect(done.reply).toBe('appended once');
  expect(existsSync(join(cwd, 'once.txt'))).toBe(false);
  expect(lastRequest()).toContain('This call already ran (approved by tester at');
  expect(lastRequest()).toContain('its output was: appended');
  // Its heartbeats keep what ran, for a further attempt.
  expect(convo.heartbeats.at(-1)).toMatchObject({ ran: [{ toolUseId: id, output: 'appended' }] });
});
