/**
 * Graceful shutdown: SIGTERM during a turn stops the worker taking new turns, lets the running one finish within
 * the grace period, and the worker exits 0.
 */
import { World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('shutdown');
});
afterAll(async () => world?.dispose());

test('SIGTERM during a turn lets the turn finish within the grace period, then the worker exits 0; nothing is retried', async () => {
  const worker = await world.startWorker('graceful', { CONVO_SHUTDOWN_GRACE_S: '60' });
  const id = await world.client.start({ cwd: await world.workspace('shutdown') });
  const { arrived: requestArrived, release } = world.holdReply('long turn', { text: 'finished during shutdown' });
  const asked = world.client.ask(id, 'long turn');
  await requestArrived;

  worker.child.kill('SIGTERM');
  // The turn is still running: the worker waits for it instead of exiting.
  await new Promise((r) => setTimeout(r, 2000));
  expect(worker.child.exitCode).toBeNull();
  release();

  // The worker finishes the turn's activity, reports it, and exits 0 by itself.
  expect((await worker.child).exitCode).toBe(0);
  expect(worker.output).toContain('convo worker: stopped');
  // A worker that stopped polls no more workflow tasks: another one records the reply.
  await world.startWorker('successor');
  expect((await asked).reply).toBe('finished during shutdown');
  // It ran once, on that worker: nothing was retried elsewhere.
  expect((await world.turnAttempts(id)).map((a) => [a.attempt, a.identity.split('@')[0]])).toEqual([
    [1, String(worker.pid)],
  ]);
});
