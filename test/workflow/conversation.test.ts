/**
 * The conversation workflow's logic on the time-skipping test server, with the turn activity replaced by a typed
 * fake: ordering, the ask update and its validator, failures, retries and close.
 */
import { jest } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Activities } from '../../src/activities/index.js';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { findTestServer } from '../../src/server/dev-server.js';
import { workflowsPath } from '../../src/worker/worker.js';
import { askUpdate, closeSignal, sendTurnSignal, stateQuery, transcriptQuery } from '../../src/workflows/messages.js';
import { conversationWorkflow } from '../../src/workflows/conversation.js';

let env: TestWorkflowEnvironment;
let bundle: { code: string };
beforeAll(async () => {
  // The fakes fail on purpose; the worker need not log each failure.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const path = findTestServer();
  if (!path) throw new Error('no temporal-test-server in .tools/: run `npm run setup`');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  bundle = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
});
afterAll(async () => env?.teardown());

let counter = 0;
/** Runs `body` against a started conversation whose turns are answered by `runTurn`. */
async function withConversation(
  runTurn: (input: TurnInput) => Promise<TurnResult>,
  body: (handle: Awaited<ReturnType<typeof env.client.workflow.start<typeof conversationWorkflow>>>) => Promise<void>,
): Promise<void> {
  const taskQueue = `wf-${++counter}`;
  const activities: Activities = { runTurn: jest.fn(runTurn) };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(conversationWorkflow, {
      workflowId: `conv-${counter}`,
      taskQueue,
      args: [{ cwd: '/tmp' }],
    });
    await body(handle);
  });
}

const echo = async (input: TurnInput): Promise<TurnResult> => ({
  reply: `echo ${input.prompt}`,
  transcript: { mode: 'append', data: `{"prompt":${JSON.stringify(input.prompt)}}\n` },
});

test('turns run one at a time in arrival order and build the transcript from appended bytes', async () => {
  let running = 0;
  let maxRunning = 0;
  const seen: TurnInput[] = [];
  await withConversation(
    async (input) => {
      seen.push(input);
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((r) => setTimeout(r, 50));
      running--;
      return echo(input);
    },
    async (handle) => {
      await handle.signal(sendTurnSignal, 'one');
      await handle.signal(sendTurnSignal, 'two');
      const reply = await handle.executeUpdate(askUpdate, { args: ['three'] });
      expect(reply).toMatchObject({ index: 2, reply: 'echo three' });
      const state = await handle.query(stateQuery);
      expect(state.turns.map((t) => [t.prompt, t.status])).toEqual([
        ['one', 'completed'],
        ['two', 'completed'],
        ['three', 'completed'],
      ]);
      expect(state.status).toBe('idle');
      expect(await handle.query(transcriptQuery)).toBe('{"prompt":"one"}\n{"prompt":"two"}\n{"prompt":"three"}\n');
      expect(state.transcriptBytes).toBe(Buffer.byteLength(await handle.query(transcriptQuery)));
    },
  );
  expect(maxRunning).toBe(1);
  expect(seen.map((s) => [s.prompt, s.turnIndex, s.transcript.split('\n').length - 1])).toEqual([
    ['one', 0, 0],
    ['two', 1, 1],
    ['three', 2, 2],
  ]);
  // One session id for the whole conversation.
  expect(new Set(seen.map((s) => s.sessionId)).size).toBe(1);
});

test('a replace change swaps the whole transcript', async () => {
  await withConversation(
    async (input) => ({ reply: 'ok', transcript: { mode: 'replace', data: `{"only":"${input.prompt}"}\n` } }),
    async (handle) => {
      await handle.executeUpdate(askUpdate, { args: ['a'] });
      await handle.executeUpdate(askUpdate, { args: ['b'] });
      expect(await handle.query(transcriptQuery)).toBe('{"only":"b"}\n');
    },
  );
});

test('the ask validator refuses empty prompts and closed conversations without queueing', async () => {
  await withConversation(echo, async (handle) => {
    await expect(handle.executeUpdate(askUpdate, { args: ['  '] })).rejects.toThrow(WorkflowUpdateFailedError);
    await handle.signal(closeSignal);
    const closed = await handle.executeUpdate(askUpdate, { args: ['late'] }).then(
      () => undefined,
      (e: WorkflowUpdateFailedError) => e.cause,
    );
    expect(closed?.message).toBe('conversation is closed');
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.turns).toEqual([]);
  });
});

test('a non-retryable failure fails that turn with its type; the conversation goes on', async () => {
  let calls = 0;
  await withConversation(
    async (input) => {
      calls++;
      if (input.prompt === 'bad') {
        throw ApplicationFailure.create({ type: 'InvalidRequest', message: 'API Error: 400 bad request', nonRetryable: true });
      }
      return echo(input);
    },
    async (handle) => {
      const failure = await handle.executeUpdate(askUpdate, { args: ['bad'] }).catch((e: WorkflowUpdateFailedError) => e.cause);
      expect(failure).toMatchObject({ type: 'InvalidRequest', message: 'API Error: 400 bad request' });
      expect(await handle.executeUpdate(askUpdate, { args: ['good'] })).toMatchObject({ reply: 'echo good' });
      const state = await handle.query(stateQuery);
      expect(state.turns[0]).toMatchObject({ status: 'failed', error: { type: 'InvalidRequest', message: 'API Error: 400 bad request' } });
      expect(state.turns[1]).toMatchObject({ status: 'completed' });
    },
  );
  expect(calls).toBe(2);
});

test('a retryable failure is retried with backoff until the turn succeeds', async () => {
  let attempts = 0;
  await withConversation(
    async (input) => {
      if (++attempts < 3) throw ApplicationFailure.create({ type: 'ServerError', message: 'API Error: 529 Overloaded' });
      return echo(input);
    },
    async (handle) => {
      await handle.signal(sendTurnSignal, 'hello');
      await handle.signal(closeSignal);
      // Waiting on the result lets the test server skip the retry backoff (5 s, then 10 s).
      const final = await handle.result();
      expect(final.turns[0]).toMatchObject({ status: 'completed', reply: 'echo hello' });
    },
  );
  expect(attempts).toBe(3);
});

test('close finishes after the queued turns', async () => {
  await withConversation(echo, async (handle) => {
    await handle.signal(sendTurnSignal, 'one');
    await handle.signal(sendTurnSignal, 'two');
    await handle.signal(closeSignal);
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.turns.map((t) => t.status)).toEqual(['completed', 'completed']);
  });
});
