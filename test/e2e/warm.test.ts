/**
 * Warm sessions end to end (real dev server, `convo worker` processes, the real `claude`): a worker keeps a
 * conversation's CLI alive and the next turn runs on it (the same process, no spawn); a worker SIGKILLed between turns
 * costs the next turn a few seconds, not its history; a worker keeps at most `CONVO_WARM_MAX` processes, ends idle ones
 * after `CONVO_WARM_IDLE_S`, and ends them all when it stops.
 */
import { readdir } from 'node:fs/promises';
import { conversationLength } from '../../src/testing/index.js';
import { cliProcessesIn } from '../helpers/processes.js';
import { waitUntil, World, type WorkerProcess } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('warm', undefined, { CONVO_WARM_MAX: '4' });
});
afterAll(async () => world?.dispose());

/** The `claude` processes running under `worker`'s TMPDIR (its turns and its warm sessions). */
const claudes = (worker: WorkerProcess): Promise<number[]> => cliProcessesIn(worker.tmp, 'claude');

/** The private dirs (turns and warm sessions) in `worker`'s TMPDIR. */
async function sessionDirs(worker: WorkerProcess): Promise<string[]> {
  return (await readdir(worker.tmp)).filter((n) => n.startsWith('convo-turn-'));
}

test('a warm turn runs on the process the previous turn left: no spawn, the whole history', async () => {
  const worker = await world.startWorker('same');
  expect(worker.output).toMatch(/warm sessions: at most 4, idle 300 s \(task queue test-warm-[\w-]+-warm-/);
  const id = await world.client.start({ cwd: await world.workspace('same') });

  let started = Date.now();
  expect((await world.client.ask(id, 'one')).reply).toBe('Received 1 messages. Last user text: "one"');
  const cold = Date.now() - started;
  const [pid] = await claudes(worker);
  expect(pid).toBeDefined();

  started = Date.now();
  expect((await world.client.ask(id, 'two')).reply).toBe('Received 3 messages. Last user text: "two"');
  const warm = Date.now() - started;
  expect((await world.client.ask(id, 'three')).reply).toBe('Received 5 messages. Last user text: "three"');
  console.log(`first turn (spawn) ${cold} ms, second (warm) ${warm} ms`);
  // The same CLI process served all three turns.
  expect(await claudes(worker)).toEqual([pid]);
  const transcript = await world.client.transcript(id);
  for (const prompt of ['one', 'two', 'three']) expect(transcript).toContain(`"content":"${prompt}"`);

  // Stopping the worker ends its warm processes and removes their dirs.
  expect(await worker.stop()).toBe(0);
  expect(await claudes(worker)).toEqual([]);
  expect(await sessionDirs(worker)).toEqual([]);
});

test('a worker SIGKILLed between turns: the next turn runs on another worker within seconds of the usual failover, with the whole history', async () => {
  const a = await world.startWorker('a');
  const warm = await world.client.start({ cwd: await world.workspace('killed-warm') });
  // A budget cap keeps a conversation off warm sessions (see warmKey): the usual failover, for comparison.
  const cold = await world.client.start({ cwd: await world.workspace('killed-cold'), maxCostUsd: 100 });
  for (const id of [warm, cold]) {
    await world.client.ask(id, `one ${id}`);
    await world.client.ask(id, `two ${id}`);
  }
  const [orphan] = await claudes(a);
  expect(await claudes(a)).toEqual([orphan]);

  const b = await world.startWorker('b');
  expect(await a.stop('SIGKILL')).toBeNull();
  const killedAt = Date.now();
  const timed = async (id: string) => {
    const { reply } = await world.client.ask(id, `three ${id}`);
    return { reply, seconds: (Date.now() - killedAt) / 1000 };
  };
  const [onWarm, onCold] = await Promise.all([timed(warm), timed(cold)]);
  console.log(
    `after worker A was killed: the warm conversation's turn finished on worker B in ${onWarm.seconds.toFixed(1)} s, the cold one's in ${onCold.seconds.toFixed(1)} s`,
  );
  // The warm queue's 3 s wait for a worker that is gone, then a turn that restores the transcript.
  expect(onWarm.seconds - onCold.seconds).toBeLessThan(6);
  expect(onWarm.reply).toBe(`Received 5 messages. Last user text: "three ${warm}"`);
  const request = world.model.mainRequests().find((r) => r.lastUserText === `three ${warm}`)!;
  expect(conversationLength(request.messages)).toBe(5);
  expect(JSON.stringify(request.messages)).toContain(`two ${warm}`);
  expect((await world.turnAttempts(warm)).at(-1)!.identity).toMatch(new RegExp(`^${b.pid}@`));
  // Worker A's live CLI lost its stdin with its worker, and ended.
  await waitUntil(async () => !(await claudes(a)).includes(orphan!), 15_000);
  await b.stop();
});

test('CONVO_WARM_MAX=2 with five idle conversations keeps two CLI processes; idle ones end after CONVO_WARM_IDLE_S', async () => {
  const worker = await world.startWorker('bounded', { CONVO_WARM_MAX: '2', CONVO_WARM_IDLE_S: '20' });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = await world.client.start({ cwd: await world.workspace(`bounded-${i}`) });
    await world.client.ask(id, `hello ${i}`);
    ids.push(id);
    // A turn that will keep its CLI ends the least recently used idle one first.
    expect((await claudes(worker)).length).toBeLessThanOrEqual(2);
  }
  await waitUntil(async () => (await claudes(worker)).length === 2 && (await sessionDirs(worker)).length === 2, 10_000);
  const kept = await claudes(worker);

  // The most recent conversation is still warm; the first one was ended for room and restores its transcript.
  expect((await world.client.ask(ids[4]!, 'again')).reply).toBe('Received 3 messages. Last user text: "again"');
  expect(await claudes(worker)).toEqual(kept);
  expect((await world.client.ask(ids[0]!, 'again')).reply).toBe('Received 3 messages. Last user text: "again"');
  await waitUntil(async () => (await claudes(worker)).length === 2, 10_000);
  expect(await claudes(worker)).not.toEqual(kept);

  // Idle for CONVO_WARM_IDLE_S: ended, dirs and all.
  await waitUntil(async () => (await claudes(worker)).length === 0 && (await sessionDirs(worker)).length === 0, 40_000);
  await worker.stop();
});
