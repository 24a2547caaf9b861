/**
 * Where turns run once a worker kept the conversation's CLI alive (a warm session), on the time-skipping test server
 * with the turn activity faked on two workers: the shared task queue's and a warm one's. The next turn goes to the
 * warm queue; a warm worker that does not pick it up, or a warm run that fails in a way a retry could heal, sends it
 * to the shared queue; a failure no retry heals fails the turn; a configured conversation or a compaction goes to the
 * shared queue; the history replays.
 */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { joinAccount } from '../../src/activities/account.js';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { askUpdate, compactUpdate, configureUpdate, stateQuery } from '../../src/workflows/messages.js';
import { echo, updateFailure, useWorkflowEnv, type ConversationHandle, type RunTurn } from '../helpers/workflow-env.js';

const workflowEnv = useWorkflowEnv();
const { withConversation } = workflowEnv;

/**
 * A turn answered like `echo` whose worker says it kept the CLI alive, for the next turn on `taskQueue` (as a worker
 * does for a prompt, never for a compaction).
 */
const keeping =
  (taskQueue: string) =>
  async (input: TurnInput): Promise<TurnResult> => ({
    ...(await echo(input)),
    ...(input.kind !== 'compact' && { warm: { taskQueue } }),
  });

/** Runs `body` while a worker serves the warm task queue `taskQueue` with the fake `runTurn`. */
async function withWarmWorker<T>(taskQueue: string, runTurn: RunTurn, body: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: workflowEnv.env.nativeConnection,
    taskQueue,
    activities: { runTurn, joinAccount },
  });
  return worker.runUntil(body);
}

const ask = (handle: ConversationHandle, prompt: string) => handle.executeUpdate(askUpdate, { args: [prompt] });

test("the next turn runs on the warm worker's queue; once nothing serves it, on the shared queue", async () => {
  const warmQueue = `warm-${randomUUID()}`;
  const warm = jest.fn<RunTurn>(keeping(warmQueue));
  await withConversation(keeping(warmQueue), async (handle, { runTurn }) => {
    await ask(handle, 'one');
    await withWarmWorker(warmQueue, warm, async () => {
      expect(await ask(handle, 'two')).toMatchObject({ reply: 'echo two' });
      expect(await ask(handle, 'three')).toMatchObject({ reply: 'echo three' });
    });
    // The warm worker is gone: the turn waits 3 s for it, then runs on the shared queue.
    expect(await ask(handle, 'four')).toMatchObject({ reply: 'echo four' });
    expect(runTurn.mock.calls.map(([i]) => i.prompt)).toEqual(['one', 'four']);
    expect(warm.mock.calls.map(([i]) => i.prompt)).toEqual(['two', 'three']);
    // Each run got the transcript the previous ones left.
    expect(warm.mock.calls[1]![0].transcript).toHaveLength(2);
    expect(runTurn.mock.calls[1]![0].transcript).toHaveLength(3);
    const state = await handle.query(stateQuery);
    expect(state.turns.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    await workflowEnv.replay(handle);
  });
});

test('a warm run that a retry could heal runs again at once on the shared queue; one no retry heals fails', async () => {
  const warmQueue = `warm-${randomUUID()}`;
  const warm = jest.fn<RunTurn>(async (input) => {
    if (input.prompt === 'server error') {
      throw ApplicationFailure.create({ type: 'ServerError', message: 'API Error: 500', nonRetryable: false });
    }
    if (input.prompt === 'bad request') {
      throw ApplicationFailure.create({ type: 'InvalidRequest', message: 'API Error: 400 bad', nonRetryable: true });
    }
    return keeping(warmQueue)(input);
  });
  await withConversation(keeping(warmQueue), async (handle, { runTurn }) => {
    await ask(handle, 'one');
    await withWarmWorker(warmQueue, warm, async () => {
      expect(await ask(handle, 'server error')).toMatchObject({ reply: 'echo server error' });
      await ask(handle, 'two');
      expect(await updateFailure(ask(handle, 'bad request'))).toMatchObject({ type: 'InvalidRequest' });
    });
    expect(warm.mock.calls.map(([i]) => i.prompt)).toEqual(['server error', 'two', 'bad request']);
    expect(runTurn.mock.calls.map(([i]) => i.prompt)).toEqual(['one', 'server error']);
    await workflowEnv.replay(handle);
  });
});

test('after configure, and for a compaction, turns run on the shared queue', async () => {
  const warmQueue = `warm-${randomUUID()}`;
  const warm = jest.fn<RunTurn>(keeping(warmQueue));
  await withConversation(keeping(warmQueue), async (handle, { runTurn }) => {
    await withWarmWorker(warmQueue, warm, async () => {
      await ask(handle, 'one');
      await handle.executeUpdate(configureUpdate, { args: [{ model: 'opus' }] });
      await ask(handle, 'two');
      await handle.executeUpdate(compactUpdate);
      await ask(handle, 'three');
      await ask(handle, 'four');
    });
    expect(runTurn.mock.calls.map(([i]) => i.prompt)).toEqual(['one', 'two', '/compact', 'three']);
    expect(warm.mock.calls.map(([i]) => i.prompt)).toEqual(['four']);
    await workflowEnv.replay(handle);
  });
});
