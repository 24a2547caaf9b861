/**
 * A person approves a tool call, later, on any worker (real dev server, `convo worker` processes, the real `claude`,
 * the scripted model): the call waits in `needs_approval` with nothing running; another worker carries it on after
 * the first is gone; a denial's reason reaches the model; an approved call runs once even when the worker running it
 * is SIGKILLed right after; two calls in one assistant message get a decision each.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedRequest } from '../../src/testing/index.js';
import { World, waitUntil, type WorkerProcess } from '../helpers/world.js';

let world: World;
let worker: WorkerProcess;
beforeAll(async () => {
  world = await World.create('approvals');
  worker = await world.startWorker('first');
});
afterAll(async () => world?.dispose());

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const bash = (command: string) => ({ name: 'Bash', input: { command, description: 'run it' } });
/** The main-loop requests after the first `from` the server received, as text. */
const requestsAfter = (from: number): string[] =>
  world.model.requests
    .slice(from)
    .filter((r: RecordedRequest) => r.hasTools)
    .map((r) => JSON.stringify(r.messages));

test('a call waits for approval across a worker change; approve runs it on the new worker; deny tells the model why', async () => {
  const cwd = await world.workspace('swap');
  const id = await world.client.start({ cwd, approve: ['Bash'] });
  world.model.script([{ toolUse: bash('echo approved > approved.txt') }, { text: 'wrote approved.txt' }]);
  await world.client.send(id, 'write approved.txt');
  const waiting = await world.waitForState(id, (s) => s.status === 'needs_approval');
  expect(waiting.pending).toMatchObject({ tool: 'Bash', summary: 'echo approved > approved.txt', kind: 'approval' });
  const json = JSON.parse((await world.convo(['show', id, '--json'])).stdout) as typeof waiting;
  expect(json.pending?.input).toMatchObject({ command: 'echo approved > approved.txt' });
  // What the Web UI shows on the conversation's page: its current details.
  const metadata = await world.client.client.workflow
    .getHandle(id)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain('echo approved > approved.txt');
  expect(metadata.currentDetails).toContain(`convo approve ${id}`);
  expect(await exists(join(cwd, 'approved.txt'))).toBe(false);

  // The worker that ran the turn goes away; nothing runs meanwhile; another one carries the decision out.
  const before = world.model.requests.length;
  expect(await worker.stop()).toBe(0);
  worker = await world.startWorker('second');
  await new Promise((r) => setTimeout(r, 1000));
  expect(world.model.requests.length).toBe(before);
  expect((await world.convo(['approve', id])).exitCode).toBe(0);
  const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
  expect(done.turns[0]!.reply).toBe('wrote approved.txt');
  expect(await readFile(join(cwd, 'approved.txt'), 'utf8')).toBe('approved\n');
  // The model's next request holds the tool's result; the run that made it was on the second worker.
  const [next] = requestsAfter(before);
  expect(next).toContain('"tool_result"');
  expect(next).toContain('Continue from where you left off.');
  expect((await world.turnAttempts(id)).at(-1)!.identity).toMatch(new RegExp(`^${worker.pid}@`));
  expect(done.turns[0]!.decisions).toEqual([
    expect.objectContaining({ decision: 'allow', tool: 'Bash', by: expect.stringMatching(/\S+@\S+/) }),
  ]);

  // A second call, denied with a reason: no file, and the model is told why.
  world.model.script([{ toolUse: bash('echo denied > denied.txt') }, { text: 'not writing it then' }]);
  await world.client.send(id, 'write denied.txt');
  await world.waitForState(id, (s) => s.status === 'needs_approval');
  const mark = world.model.requests.length;
  expect((await world.convo(['deny', id, '--reason', 'not in this repository'])).exitCode).toBe(0);
  const denied = await world.waitForState(id, (s) => s.turns[1]?.status === 'completed');
  expect(denied.turns[1]!.reply).toBe('not writing it then');
  expect(await exists(join(cwd, 'denied.txt'))).toBe(false);
  expect(requestsAfter(mark)[0]).toContain('not in this repository');
});

test('an approved call runs once even when its worker is SIGKILLed right after it ran; the turn completes', async () => {
  const cwd = await world.workspace('once');
  const id = await world.client.start({ cwd, approve: ['Bash'] });
  world.model.script({ toolUse: bash('echo ran >> count.txt') });
  // The model's answer to the tool's result is held: the worker dies while the turn is still running.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  world.model.script({ text: 'never delivered', hold: held }, (r) => {
    const text = JSON.stringify(r.messages);
    return r.hasTools && text.includes('"tool_result"') && text.includes('count.txt');
  });
  await world.client.send(id, 'count once');
  await world.waitForState(id, (s) => s.status === 'needs_approval');
  expect((await world.convo(['approve', id])).exitCode).toBe(0);
  const count = join(cwd, 'count.txt');
  await waitUntil(() => exists(count), 60_000);
  // Past the heartbeat that records the call as run (heartbeats reach the server within a second).
  await new Promise((r) => setTimeout(r, 2500));
  await worker.stop('SIGKILL');
  worker = await world.startWorker('after-kill');
  try {
    const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed', { timeoutMs: 120_000 });
    expect(await readFile(count, 'utf8')).toBe('ran\n');
    expect(done.turns[0]!.decisions).toHaveLength(1);
    // The retry was a second attempt of the same turn, on the new worker.
    const attempts = await world.turnAttempts(id);
    expect(attempts.at(-1)).toMatchObject({
      attempt: 2,
      identity: expect.stringMatching(new RegExp(`^${worker.pid}@`)),
    });
  } finally {
    release();
  }
});

test('two calls in one assistant message, both matching: a decision each, each honoured', async () => {
  const cwd = await world.workspace('two-calls');
  const id = await world.client.start({ cwd, approve: ['Bash'] });
  world.model.script([
    { toolUses: [bash('echo one >> calls.txt'), bash('echo two >> calls.txt')] },
    // Claude Code pauses at most one call per run: the second is refused for now, and the model makes it again.
    { toolUse: bash('echo two >> calls.txt') },
    { text: 'one written, two refused' },
  ]);
  await world.client.send(id, 'make two calls');
  const first = await world.waitForState(id, (s) => s.status === 'needs_approval');
  expect(first.pending?.summary).toBe('echo one >> calls.txt');
  expect((await world.convo(['approve', id])).exitCode).toBe(0);
  const second = await world.waitForState(
    id,
    (s) => s.status === 'needs_approval' && s.pending?.toolUseId !== first.pending?.toolUseId,
  );
  expect(second.pending?.summary).toBe('echo two >> calls.txt');
  const mark = world.model.requests.length;
  expect((await world.convo(['deny', id, '--reason', 'only one, please'])).exitCode).toBe(0);
  const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
  expect(done.turns[0]!.reply).toBe('one written, two refused');
  expect(await readFile(join(cwd, 'calls.txt'), 'utf8')).toBe('one\n');
  expect(done.turns[0]!.decisions?.map((d) => [d.decision, d.summary])).toEqual([
    ['allow', 'echo one >> calls.txt'],
    ['deny', 'echo two >> calls.txt'],
  ]);
  expect(requestsAfter(mark)[0]).toContain('only one, please');
});
