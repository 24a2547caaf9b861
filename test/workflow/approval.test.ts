/**
 * Tool calls that wait for a person, on the time-skipping test server with the turn activity faked: a run that
 * pauses at a call (`TurnResult.pending`) puts the conversation in `needs_approval` until `approve`, `deny` or
 * `answer` (updates or signals) or the approval timeout decides it; then the same turn runs again, continuing the
 * session with the turn's decisions, until it completes.
 */
import { TIMEOUT_DENIAL, type PendingToolCall } from '../../src/common/approvals.js';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import {
  answerSignal,
  answerUpdate,
  approveSignal,
  approveUpdate,
  askUpdate,
  cancelTurnUpdate,
  denyUpdate,
  sendTurnSignal,
  stateQuery,
} from '../../src/workflows/messages.js';
import {
  currentDetailsOf,
  updateFailure,
  useWorkflowEnv,
  waitForState,
  type ConversationHandle,
} from '../helpers/workflow-env.js';

const testEnv = useWorkflowEnv();
const { withConversation } = testEnv;

type Call = Omit<PendingToolCall, 'since'>;

const bash = (id: string, command: string): Call => ({
  toolUseId: id,
  tool: 'Bash',
  input: { command, description: 'write a file' },
  summary: command,
  kind: 'approval',
  rule: 'Bash',
});
const question: Call = {
  toolUseId: 'toolu_q',
  tool: 'AskUserQuestion',
  input: { questions: [{ question: 'Which colour?', options: [{ label: 'red' }, { label: 'blue' }] }] },
  summary: 'Which colour?',
  kind: 'question',
  rule: 'AskUserQuestion',
};

/**
 * A turn that pauses at `calls`, one per run (the first run at the first, each continued run at the next until every
 * call has a decision), then completes with a reply naming the decisions it got; each run appends a transcript line.
 */
function pausing(...calls: Call[]): (input: TurnInput) => Promise<TurnResult> {
  return async (input) => {
    const decided = input.continues ? (input.decisions?.length ?? 0) : 0;
    const line = { kind: 'inline' as const, data: `{"run":${decided}}\n` };
    const transcript = { mode: 'append' as const, segments: [line] };
    const next = calls[decided];
    if (next) return { reply: '', pending: next, costUsd: 0.1, transcript };
    const reply = (input.decisions ?? []).map((d) => `${d.decision}${d.text ? `: ${d.text}` : ''}`).join('; ');
    return { reply: `done (${reply})`, costUsd: 0.1, transcript };
  };
}

/** Waits until the conversation waits for a decision on the call `toolUseId`. */
const waitingOn = (handle: ConversationHandle, toolUseId: string) =>
  waitForState(handle, (s) => s.status === 'needs_approval' && s.pending?.toolUseId === toolUseId);

test('a paused call waits in needs_approval, shown in the state and the current details; approve continues the turn', async () => {
  await withConversation(pausing(bash('toolu_1', 'echo hi > f')), async (handle, { runTurn }) => {
    const reply = handle.executeUpdate(askUpdate, { args: ['write f'] });
    const waiting = await waitingOn(handle, 'toolu_1');
    expect(waiting.pending).toMatchObject({ tool: 'Bash', summary: 'echo hi > f', kind: 'approval', rule: 'Bash' });
    expect(Date.parse(waiting.pending!.since)).not.toBeNaN();
    expect(waiting.turns[0]).toMatchObject({ status: 'queued', pending: waiting.pending, costUsd: 0.1 });
    const details = await currentDetailsOf(handle);
    expect(details).toContain('**needs_approval**');
    expect(details).toContain('Needs approval (since ');
    expect(details).toContain('**Bash** echo hi > f');
    expect(details).toContain('"command": "echo hi > f"');
    expect(details).toContain(`\`convo approve ${handle.workflowId}\``);
    expect(details).toContain(`\`convo deny ${handle.workflowId} --reason …\``);
    // Nothing runs while it waits; a worker taking the waiting conversation over replays it.
    expect(runTurn).toHaveBeenCalledTimes(1);
    await testEnv.replay(handle);

    const decision = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ana@laptop' }] });
    expect(decision).toMatchObject({ toolUseId: 'toolu_1', decision: 'allow', by: 'ana@laptop' });
    expect(decision.text).toBeUndefined();
    expect(await reply).toMatchObject({ index: 0, reply: 'done (allow)' });

    expect(runTurn).toHaveBeenCalledTimes(2);
    const [first, second] = runTurn.mock.calls.map(([input]) => input);
    expect(first!.continues).toBeUndefined();
    expect(second).toMatchObject({ continues: true, decisions: [decision], prompt: 'write f', turnIndex: 0 });
    // The continued run starts from the transcript captured at the pause.
    expect(second!.transcript).toEqual([{ kind: 'inline', data: '{"run":0}\n' }]);
    const done = await handle.query(stateQuery);
    expect(done.status).toBe('idle');
    expect(done.pending).toBeUndefined();
    expect(done.turns[0]).toMatchObject({ status: 'completed', decisions: [decision], optionsRevision: 0 });
    expect(done.turns[0]!.pending).toBeUndefined();
    // Both runs' cost.
    expect(done.turns[0]!.costUsd).toBeCloseTo(0.2);
    expect(await currentDetailsOf(handle)).not.toContain('Needs approval');
  });
});

test('deny with a reason records it, and the turn goes on with the call denied', async () => {
  await withConversation(pausing(bash('toolu_1', 'rm -rf build')), async (handle, { runTurn }) => {
    const reply = handle.executeUpdate(askUpdate, { args: ['clean'] });
    await waitingOn(handle, 'toolu_1');
    const decision = await handle.executeUpdate(denyUpdate, { args: [{ reason: 'not on Fridays' }] });
    expect(decision).toMatchObject({ toolUseId: 'toolu_1', decision: 'deny', text: 'not on Fridays', by: 'unknown' });
    expect((await reply).reply).toBe('done (deny: not on Fridays)');
    expect(runTurn.mock.calls[1]![0].decisions).toEqual([decision]);
    expect((await handle.query(stateQuery)).turns[0]!.decisions).toEqual([decision]);
  });
});

test('two pauses in one turn get two decisions, in order, and each run gets every decision so far', async () => {
  const calls = [bash('toolu_1', 'touch a'), bash('toolu_2', 'touch b')];
  await withConversation(pausing(...calls), async (handle, { runTurn }) => {
    const reply = handle.executeUpdate(askUpdate, { args: ['touch both'] });
    await waitingOn(handle, 'toolu_1');
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    const second = await waitingOn(handle, 'toolu_2');
    expect(second.turns[0]!.decisions).toMatchObject([{ toolUseId: 'toolu_1', decision: 'allow' }]);
    await handle.executeUpdate(denyUpdate, { args: [{ reason: 'one is enough' }] });
    expect((await reply).reply).toBe('done (allow; deny: one is enough)');

    const inputs = runTurn.mock.calls.map(([input]) => input);
    expect(inputs.map((i) => [i.continues, i.decisions?.map((d) => d.toolUseId)])).toEqual([
      [undefined, undefined],
      [true, ['toolu_1']],
      [true, ['toolu_1', 'toolu_2']],
    ]);
    expect(inputs[2]!.transcript).toHaveLength(2);
    // A worker that takes the conversation over replays the waits and the decisions.
    await testEnv.replay(handle);
    const state = await handle.query(stateQuery);
    expect(state.turns[0]!.decisions!.map((d) => [d.toolUseId, d.decision, d.text])).toEqual([
      ['toolu_1', 'allow', undefined],
      ['toolu_2', 'deny', 'one is enough'],
    ]);
  });
});

test('approve --always allows the rule for the rest of the conversation, as a configuration', async () => {
  const calls = [bash('toolu_1', 'touch a'), bash('toolu_2', 'touch b')];
  await withConversation(pausing(...calls), async (_, { start, runTurn }) => {
    const handle = await start(undefined, { approve: ['Bash', 'Write'], allowedTools: ['Read'] });
    const reply = handle.executeUpdate(askUpdate, { args: ['touch'] });
    await waitingOn(handle, 'toolu_1');
    await handle.executeUpdate(approveUpdate, { args: [{ always: true }] });
    const state = await waitingOn(handle, 'toolu_2');
    expect(state.options.allowedTools).toEqual(['Read', 'Bash']);
    expect(state.options.approve).toEqual(['Write']);
    expect(state.configurations.map(({ revision, changes }) => ({ revision, changes }))).toEqual([
      { revision: 1, changes: { allowedTools: ['Read', 'Bash'], approve: ['Write'] } },
    ]);
    // The rest of this turn no longer waits on the rule either; the turn keeps the revision it started with.
    expect(runTurn.mock.calls[1]![0].options).toMatchObject({ allowedTools: ['Read', 'Bash'], approve: ['Write'] });
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    await reply;
    expect((await handle.query(stateQuery)).turns[0]!.optionsRevision).toBe(0);
  });
});

test('answer gives a question its answer; a question cannot be approved, an approval cannot be answered', async () => {
  await withConversation(pausing(question, bash('toolu_1', 'make')), async (handle) => {
    const reply = handle.executeUpdate(askUpdate, { args: ['ask me'] });
    const waiting = await waitingOn(handle, 'toolu_q');
    expect(waiting.pending).toMatchObject({ kind: 'question', summary: 'Which colour?' });
    const details = await currentDetailsOf(handle);
    expect(details).toContain('Needs an answer (since ');
    expect(details).toContain('the agent asks: Which colour?');
    expect(details).toContain(`\`convo answer ${handle.workflowId} TEXT\``);

    expect(await updateFailure(handle.executeUpdate(approveUpdate, { args: [{}] }))).toMatchObject({
      type: 'NotWaiting',
      message: `conversation ${handle.workflowId} waits for an answer to a question: Which colour?: answer it (or deny it)`,
    });
    const answered = await handle.executeUpdate(answerUpdate, { args: [{ text: 'blue', by: 'ana' }] });
    expect(answered).toMatchObject({ toolUseId: 'toolu_q', decision: 'answer', text: 'blue', by: 'ana' });

    await waitingOn(handle, 'toolu_1');
    expect(await updateFailure(handle.executeUpdate(answerUpdate, { args: [{ text: 'yes' }] }))).toMatchObject({
      type: 'NotWaiting',
      message: `conversation ${handle.workflowId} waits for approval of Bash: make, not for an answer: approve or deny it`,
    });
    // Still waiting: the refused answer changed nothing.
    expect((await handle.query(stateQuery)).status).toBe('needs_approval');
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    expect((await reply).reply).toBe('done (answer: blue; allow)');
  });
});

test('approve, deny and answer are refused with NotWaiting when nothing waits, InvalidOptions when they do not parse', async () => {
  await withConversation(pausing(bash('toolu_1', 'ls')), async (handle) => {
    const idle = `conversation ${handle.workflowId} has no tool call waiting for a decision (status idle)`;
    expect(await updateFailure(handle.executeUpdate(approveUpdate, { args: [{}] }))).toEqual(
      expect.objectContaining({ type: 'NotWaiting', message: idle }),
    );
    expect(await updateFailure(handle.executeUpdate(denyUpdate, { args: [{}] }))).toMatchObject({ type: 'NotWaiting' });

    await handle.signal(sendTurnSignal, 'list');
    await waitingOn(handle, 'toolu_1');
    const bad = (update: Promise<unknown>) => updateFailure(update);
    expect(await bad(handle.executeUpdate(approveUpdate, { args: [{ always: 'yes' } as never] }))).toMatchObject({
      type: 'InvalidOptions',
      message: expect.stringMatching(/^always: /),
    });
    expect(await bad(handle.executeUpdate(denyUpdate, { args: [{ reason: '' }] }))).toMatchObject({
      type: 'InvalidOptions',
      message: expect.stringMatching(/^reason: /),
    });
    expect(await bad(handle.executeUpdate(answerUpdate, { args: [{} as never] }))).toMatchObject({
      type: 'InvalidOptions',
    });
    // The first decision is taken; a second one finds nothing waiting.
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    expect(await bad(handle.executeUpdate(denyUpdate, { args: [{}] }))).toMatchObject({ type: 'NotWaiting' });
    await waitForState(handle, (s) => s.turns[0]?.status === 'completed');
  });
});

test('approvalTimeoutS denies an undecided call by timeout, and the turn goes on', async () => {
  await withConversation(pausing(bash('toolu_1', 'deploy')), async (_, { start, runTurn }) => {
    const handle = await start(undefined, { approve: ['Bash'], approvalTimeoutS: 3600 });
    await handle.signal(sendTurnSignal, 'deploy it');
    await waitingOn(handle, 'toolu_1');
    await testEnv.env.sleep(30 * 60_000);
    expect((await handle.query(stateQuery)).status).toBe('needs_approval');
    await testEnv.env.sleep(31 * 60_000);
    const done = await waitForState(handle, (s) => s.turns[0]?.status === 'completed');
    expect(done.turns[0]!.decisions).toEqual([
      {
        toolUseId: 'toolu_1',
        tool: 'Bash',
        summary: 'deploy',
        decision: 'deny',
        text: TIMEOUT_DENIAL,
        by: 'timeout',
        at: expect.any(String),
      },
    ]);
    expect(done.turns[0]!.reply).toBe(`done (deny: ${TIMEOUT_DENIAL})`);
    expect(runTurn.mock.calls[1]![0]).toMatchObject({ continues: true });
    const { events } = await handle.fetchHistory();
    const timers = events!.filter((e) => e.timerStartedEventAttributes);
    const summaries = timers.map((e) => JSON.parse(Buffer.from(e.userMetadata?.summary?.data ?? '""').toString()));
    const approval = timers.filter((_, i) => summaries[i] === 'approval timeout: Bash deploy');
    expect(approval.map((e) => e.timerStartedEventAttributes!.startToFireTimeout?.seconds?.toString())).toEqual([
      '3600',
    ]);
    await testEnv.replay(handle);
    // The wait itself wakes nothing: no refresh of the running time's details over its hour (one per run at most).
    expect(summaries.filter((t) => t.startsWith('refresh current details')).length).toBeLessThanOrEqual(2);
  });
});

test('the signals decide too; a signal that does not apply is dropped', async () => {
  await withConversation(pausing(bash('toolu_1', 'make')), async (handle) => {
    await handle.signal(sendTurnSignal, 'build');
    await waitingOn(handle, 'toolu_1');
    await handle.signal(answerSignal, { text: 'blue' });
    await handle.signal(approveSignal, { always: 'no' } as never);
    expect((await handle.query(stateQuery)).status).toBe('needs_approval');
    await handle.signal(approveSignal, { by: 'web-ui' });
    const done = await waitForState(handle, (s) => s.turns[0]?.status === 'completed');
    expect(done.turns[0]!.decisions).toMatchObject([{ toolUseId: 'toolu_1', decision: 'allow', by: 'web-ui' }]);
  });
});

test('cancelTurn during the wait fails the turn with Cancelled; the next turn runs', async () => {
  await withConversation(pausing(bash('toolu_1', 'sleep 1')), async (handle, { runTurn }) => {
    const reply = handle.executeUpdate(askUpdate, { args: ['wait'] });
    await waitingOn(handle, 'toolu_1');
    expect(await handle.executeUpdate(cancelTurnUpdate)).toBe(0);
    expect(await updateFailure(reply)).toMatchObject({ type: 'Cancelled' });
    const after = await handle.query(stateQuery);
    expect(after.turns[0]).toMatchObject({ status: 'failed', error: { type: 'Cancelled' } });
    expect(after.turns[0]!.pending).toBeUndefined();
    expect(after.status).toBe('idle');
    expect(runTurn).toHaveBeenCalledTimes(1);
    expect(await updateFailure(handle.executeUpdate(approveUpdate, { args: [{}] }))).toMatchObject({
      type: 'NotWaiting',
    });
    await handle.signal(sendTurnSignal, 'again');
    const next = await waitForState(handle, (s) => s.status === 'needs_approval' && s.turns[1]?.pending !== undefined);
    expect(next.turns[1]!.pending!.toolUseId).toBe('toolu_1');
  });
});
