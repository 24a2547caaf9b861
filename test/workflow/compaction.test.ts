/**
 * Compaction, refused tool calls, structured replies and imported sessions on the time-skipping test server, with
 * the turn activity faked: a turn that overflows the context is compacted and run again once; `compact` compacts
 * on demand; what a turn's CLI refused and its structured reply reach the turn record, the ask reply and the Web UI.
 */
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import {
  accountStateQuery,
  accountWorkflowId,
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  compactUpdate,
  sendTurnSignal,
  stateQuery,
} from '../../src/workflows/messages.js';
import {
  authenticationFailure,
  contextOverflow,
  currentDetailsOf,
  echo,
  updateFailure,
  useWorkflowEnv,
  waitForState,
} from '../helpers/workflow-env.js';

const wf = useWorkflowEnv();
const { withConversation } = wf;

/** A compaction as the CLI reports it: a short reply and a transcript rewritten to a summary. */
const compacted = async (): Promise<TurnResult> => ({
  reply: 'Compacted',
  costUsd: 0.01,
  transcript: { mode: 'replace', segments: [{ kind: 'inline', data: '{"summary":"earlier turns"}\n' }] },
});

/** Overflows on `big` until a compaction ran (or always, with `always`); compacts; echoes the rest. */
function overflowing(always = false): (input: TurnInput) => Promise<TurnResult> {
  let compactions = 0;
  return async (input) => {
    if (input.kind === 'compact') return (compactions++, compacted());
    if (input.prompt === 'big' && (always || compactions === 0)) throw contextOverflow();
    return echo(input);
  };
}

test('a turn that overflows the context is compacted (a compact turn of its own) and then runs again', async () => {
  await withConversation(overflowing(), async (handle, { runTurn }) => {
    await handle.signal(sendTurnSignal, 'big');
    await handle.signal(sendTurnSignal, 'next');
    await handle.signal(closeSignal);
    const final = await handle.result();
    // The compaction is appended with the next index; the turn keeps its own and runs before the next one.
    expect(final.turns.map((t) => [t.index, t.kind, t.prompt, t.status, t.reply])).toEqual([
      [0, undefined, 'big', 'completed', 'echo big'],
      [1, undefined, 'next', 'completed', 'echo next'],
      [2, 'compact', '/compact', 'completed', 'Compacted'],
    ]);
    expect(runTurn.mock.calls.map(([i]) => [i.turnIndex, i.kind, i.prompt])).toEqual([
      [0, undefined, 'big'],
      [2, 'compact', '/compact'],
      [0, undefined, 'big'],
      [1, undefined, 'next'],
    ]);
    // The turn ran again on the compacted transcript.
    expect(runTurn.mock.calls[2]![0].transcript).toEqual([{ kind: 'inline', data: '{"summary":"earlier turns"}\n' }]);
    expect(final.costUsd).toBeCloseTo(0.01);
  });
});

test('a turn that overflows again after its compaction fails with ContextOverflow', async () => {
  await withConversation(overflowing(true), async (handle, { runTurn }) => {
    const failure = await updateFailure(handle.executeUpdate(askUpdate, { args: ['big'] }));
    expect(failure).toMatchObject({ type: 'ContextOverflow', message: expect.stringContaining('prompt is too long') });
    const state = await handle.query(stateQuery);
    expect(state.turns.map((t) => [t.kind, t.status, t.error?.type])).toEqual([
      [undefined, 'failed', 'ContextOverflow'],
      ['compact', 'completed', undefined],
    ]);
    expect(runTurn.mock.calls.map(([i]) => i.kind ?? 'prompt')).toEqual(['prompt', 'compact', 'prompt']);
    // The conversation goes on.
    expect(await handle.executeUpdate(askUpdate, { args: ['small'] })).toMatchObject({ reply: 'echo small' });
  });
});

test('cancelTurn during the compaction ends both the compaction and the turn it was for', async () => {
  await withConversation(
    async (input) => {
      if (input.kind === 'compact') throw authenticationFailure();
      if (input.prompt === 'big') throw contextOverflow();
      return echo(input);
    },
    async (handle) => {
      await handle.signal(sendTurnSignal, 'big');
      const waiting = await waitForState(handle, (s) => s.status === 'needs_attention');
      expect(waiting.turns.map((t) => [t.kind, t.status])).toEqual([
        [undefined, 'queued'],
        ['compact', 'queued'],
      ]);
      expect(await handle.executeUpdate(cancelTurnUpdate)).toBe(0);
      const after = await waitForState(handle, (s) => s.status === 'idle');
      expect(after.turns.map((t) => [t.status, t.error?.type])).toEqual([
        ['failed', 'Cancelled'],
        ['failed', 'Cancelled'],
      ]);
      expect(await handle.executeUpdate(askUpdate, { args: ['small'] })).toMatchObject({ index: 2 });
    },
  );
});

test('compact compacts on demand, as a queued turn of kind compact, and answers with its reply', async () => {
  await withConversation(overflowing(), async (handle, { runTurn }) => {
    await handle.executeUpdate(askUpdate, { args: ['one'] });
    expect(await handle.executeUpdate(compactUpdate)).toMatchObject({ index: 1, reply: 'Compacted', costUsd: 0.01 });
    expect(runTurn.mock.calls[1]![0]).toMatchObject({ kind: 'compact', prompt: '/compact', turnIndex: 1 });
    const state = await handle.query(stateQuery);
    expect(state.turns[1]).toMatchObject({ kind: 'compact', prompt: '/compact', status: 'completed' });
    await handle.signal(closeSignal);
    expect(await updateFailure(handle.executeUpdate(compactUpdate))).toMatchObject({ type: 'Closed' });
  });
});

test('a compaction that overflows fails with ContextOverflow and is not compacted in turn', async () => {
  await withConversation(
    async () => Promise.reject(contextOverflow()),
    async (handle, { runTurn }) => {
      expect(await updateFailure(handle.executeUpdate(compactUpdate))).toMatchObject({ type: 'ContextOverflow' });
      expect(runTurn).toHaveBeenCalledTimes(1);
      expect((await handle.query(stateQuery)).turns).toHaveLength(1);
    },
  );
});

test('the tool calls a turn refused and its structured reply reach the turn, the ask reply and the Web UI', async () => {
  const denials = [
    { tool: 'Bash', input: 'echo hi > out.txt' },
    { tool: 'Write', input: '/tmp/a.txt' },
  ];
  await withConversation(
    async (input) => ({ ...(await echo(input)), denials, structured: { answer: 42 } }),
    async (handle) => {
      const reply = await handle.executeUpdate(askUpdate, { args: ['write it'] });
      expect(reply).toMatchObject({ reply: 'echo write it', denials, structured: { answer: 42 } });
      const state = await handle.query(stateQuery);
      expect(state.turns[0]).toMatchObject({ denials, structured: { answer: 42 } });
      const details = await currentDetailsOf(handle);
      expect(details).toContain('2 tool calls refused: Bash: echo hi > out.txt, Write: /tmp/a.txt.');
      expect(details).toContain(`\`convo configure ${handle.workflowId} --allowed-tools …\``);
    },
  );
});

test('an imported session joins its account and goes on from the carried session id and transcript', async () => {
  const transcript = [{ kind: 'inline' as const, data: '{"imported":true}\n' }];
  await withConversation(echo, async (_, { account, start, runTurn }) => {
    const handle = await start(
      undefined,
      {},
      { sessionId: 'sess-imported', turns: [], transcript, closing: false, imported: true },
    );
    expect(await handle.executeUpdate(askUpdate, { args: ['hello'] })).toMatchObject({ index: 0 });
    expect(runTurn.mock.calls[0]![0]).toMatchObject({ sessionId: 'sess-imported', transcript });
    const members = await wf.env.client.workflow.getHandle(accountWorkflowId(account)).query(accountStateQuery);
    expect(members.members).toContain(handle.workflowId);
  });
});
