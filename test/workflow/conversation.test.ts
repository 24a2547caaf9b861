/**
 * The conversation workflow's logic on the time-skipping test server, with the turn activity replaced by a typed
 * fake: ordering, the ask update and its validator, failures, retries, usage limits, cancellation and close.
 * The wait for a person (resume, skip) is in attention.test.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TurnInput } from '../../src/common/conversation.js';
import {
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  sendTurnSignal,
  stateQuery,
  transcriptQuery,
} from '../../src/workflows/messages.js';
import {
  authenticationFailure,
  echo,
  updateFailure,
  usageLimit,
  useWorkflowEnv,
  waitForState,
} from '../helpers/workflow-env.js';

const wf = useWorkflowEnv();
const { withConversation, plain } = wf;

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
      const text = (await handle.query(transcriptQuery)).map((s) => (s.kind === 'inline' ? s.data : '')).join('');
      expect(text).toBe('{"prompt":"one"}\n{"prompt":"two"}\n{"prompt":"three"}\n');
      expect(state.transcriptBytes).toBe(Buffer.byteLength(text));
    },
  );
  expect(maxRunning).toBe(1);
  expect(seen.map((s) => [s.prompt, s.turnIndex, s.transcript.length])).toEqual([
    ['one', 0, 0],
    ['two', 1, 1],
    ['three', 2, 2],
  ]);
  // One session id for the whole conversation.
  expect(new Set(seen.map((s) => s.sessionId)).size).toBe(1);
});

test('a replace change swaps the whole transcript', async () => {
  await withConversation(
    async (input) => ({
      reply: 'ok',
      transcript: { mode: 'replace', segments: [{ kind: 'inline', data: `{"only":"${input.prompt}"}\n` }] },
    }),
    async (handle) => {
      await handle.executeUpdate(askUpdate, { args: ['a'] });
      await handle.executeUpdate(askUpdate, { args: ['b'] });
      expect(await handle.query(transcriptQuery)).toEqual([{ kind: 'inline', data: '{"only":"b"}\n' }]);
    },
  );
});

test('the ask validator refuses empty prompts (InvalidPrompt) and closed conversations (Closed) without queueing', async () => {
  await withConversation(echo, async (handle) => {
    const empty = await updateFailure(handle.executeUpdate(askUpdate, { args: ['  '] }));
    expect(empty).toMatchObject({ type: 'InvalidPrompt', message: 'prompt is empty' });
    await handle.signal(closeSignal);
    const closed = await updateFailure(handle.executeUpdate(askUpdate, { args: ['late'] }));
    expect(closed).toMatchObject({ type: 'Closed', message: 'conversation is closed' });
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
        throw ApplicationFailure.create({
          type: 'InvalidRequest',
          message: 'API Error: 400 bad request',
          nonRetryable: true,
        });
      }
      return echo(input);
    },
    async (handle) => {
      const failure = await updateFailure(handle.executeUpdate(askUpdate, { args: ['bad'] }));
      expect(failure).toMatchObject({ type: 'InvalidRequest', message: 'API Error: 400 bad request' });
      expect(await handle.executeUpdate(askUpdate, { args: ['good'] })).toMatchObject({ reply: 'echo good' });
      const state = await handle.query(stateQuery);
      expect(state.turns[0]).toMatchObject({
        status: 'failed',
        error: { type: 'InvalidRequest', message: 'API Error: 400 bad request' },
      });
      expect(state.turns[1]).toMatchObject({ status: 'completed' });
    },
  );
  expect(calls).toBe(2);
});

test('a retryable failure is retried with backoff until the turn succeeds', async () => {
  let attempts = 0;
  await withConversation(
    async (input) => {
      if (++attempts < 3)
        throw ApplicationFailure.create({ type: 'ServerError', message: 'API Error: 529 Overloaded' });
      return echo(input);
    },
    async (handle) => {
      await handle.signal(sendTurnSignal, 'hello');
      await handle.signal(closeSignal);
      await wf.env.sleep(20_000); // past the retry backoff: 5 s, then 10 s
      const final = await plain(handle).result();
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

test('a 5-hour usage limit is slept through on a durable timer, then the same turn runs and succeeds', async () => {
  const calls: number[] = [];
  let resetsAt!: Date;
  await withConversation(
    async (input) => {
      calls.push(await wf.env.currentTimeMs());
      if (calls.length === 1) {
        resetsAt = new Date(calls[0]! + 5 * 3600_000);
        throw usageLimit(resetsAt);
      }
      return echo(input);
    },
    async (handle) => {
      await handle.signal(sendTurnSignal, 'hello');
      const limited = await waitForState(handle, (s) => s.status === 'rate_limited');
      expect(limited.rateLimitedUntil).toBe(resetsAt.toISOString());
      expect(limited.rateLimitMessage).toMatch(/5-hour limit/);
      expect(limited.turns[0]!.status).toBe('queued');
      await handle.signal(closeSignal);
      await wf.env.sleep(5 * 3600_000 + 5_000);
      const final = await plain(handle).result();
      expect(final.turns[0]).toMatchObject({ status: 'completed', reply: 'echo hello' });
    },
  );
  // No request in between: one refused attempt, then one after the reset.
  expect(calls).toHaveLength(2);
  expect(calls[1]!).toBeGreaterThanOrEqual(resetsAt.getTime());
});

test('one account, one pause: another conversation of the account waits for the reset too', async () => {
  const calls: Array<{ id: string; at: number }> = [];
  let resetsAt!: Date;
  await withConversation(
    async (input) => {
      const at = await wf.env.currentTimeMs();
      calls.push({ id: input.conversationId, at });
      if (calls.length === 1) {
        resetsAt = new Date(at + 3600_000);
        throw usageLimit(resetsAt);
      }
      return echo(input);
    },
    async (first, { account, start }) => {
      const second = await start();
      const otherAccount = await start(`other-${account}`);
      await first.signal(sendTurnSignal, 'refused');
      await waitForState(first, (s) => s.status === 'rate_limited');
      // The account told the second conversation; one on another account is not paused.
      expect((await waitForState(second, (s) => s.rateLimitedUntil !== undefined)).rateLimitedUntil).toBe(
        resetsAt.toISOString(),
      );
      expect((await otherAccount.query(stateQuery)).rateLimitedUntil).toBeUndefined();
      await second.signal(sendTurnSignal, 'waits');
      expect((await waitForState(second, (s) => s.status === 'rate_limited')).turns[0]!.status).toBe('queued');
      for (const h of [first, second, otherAccount]) await h.signal(closeSignal);
      // Move time past the reset explicitly; waiting on several results at once lets the test server skip time
      // under an in-flight workflow task.
      await wf.env.sleep(3600_000 + 5_000);
      for (const h of [first, second, otherAccount]) await plain(h).result();
    },
  );
  expect(calls.map((c) => c.id)).toHaveLength(3);
  for (const call of calls.slice(1)) expect(call.at).toBeGreaterThanOrEqual(resetsAt.getTime());
});

test('cancelTurn ends a turn waiting out a usage limit or waiting for attention; the conversation goes on', async () => {
  let attempts = 0;
  await withConversation(
    async (input) => {
      attempts++;
      if (input.prompt === 'limited') throw usageLimit(new Date((await wf.env.currentTimeMs()) + 3600_000));
      if (input.prompt === 'unauthorized') throw authenticationFailure('Invalid API key');
      return echo(input);
    },
    async (handle, { account, start }) => {
      const idle = await updateFailure(handle.executeUpdate(cancelTurnUpdate));
      expect(idle).toMatchObject({ type: 'NotRunning', message: 'no turn is running or waiting' });
      await handle.signal(sendTurnSignal, 'limited');
      await waitForState(handle, (s) => s.status === 'rate_limited');
      expect(await handle.executeUpdate(cancelTurnUpdate)).toBe(0);
      const after = await waitForState(handle, (s) => s.turns[0]?.status === 'failed');
      expect(after.turns[0]!.error).toEqual({ type: 'Cancelled', message: 'turn cancelled' });
      expect(after.status).toBe('idle');

      // Another account, so that the usage limit above does not hold its turns back.
      const other = await start(`other-${account}`);
      await other.signal(sendTurnSignal, 'unauthorized');
      await waitForState(other, (s) => s.status === 'needs_attention');
      expect(await other.executeUpdate(cancelTurnUpdate)).toBe(0);
      await other.signal(sendTurnSignal, 'fine');
      const done = await waitForState(other, (s) => s.turns[1]?.status === 'completed');
      expect(done.turns.map((t) => [t.status, t.error?.type])).toEqual([
        ['failed', 'Cancelled'],
        ['completed', undefined],
      ]);
      expect(done.attention).toBeUndefined();
    },
  );
  expect(attempts).toBe(3);
});
