/**
 * Continue-as-new on the real dev server (the time-skipping test server does not report history size), with the turn
 * activity faked: queued turns, signals, an in-flight ask and the options `configure` changed all survive the switch
 * between runs.
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateStage } from '@temporalio/client';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { askUpdate, closeSignal, configureUpdate, sendTurnSignal } from '../../src/workflows/messages.js';
import { conversationWorkflow } from '../../src/workflows/conversation/workflow.js';
import { withDevServerWorker } from '../helpers/dev-server-worker.js';

test('continuing as new while turns are queued and an ask is in flight loses none of them', async () => {
  const runOf = new Map<string, string>();
  const seen: TurnInput[] = [];
  const runTurn = async (input: TurnInput): Promise<TurnResult> => {
    runOf.set(input.prompt, Context.current().info.workflowExecution?.runId ?? '');
    seen.push(input);
    await new Promise((r) => setTimeout(r, 30));
    return {
      reply: `echo ${input.prompt}`,
      transcript: { mode: 'append', segments: [{ kind: 'inline', data: `{"p":"${input.prompt}"}\n` }] },
    };
  };
  await withDevServerWorker('can', runTurn, async (client, taskQueue) => {
    // A 1-byte history limit: the conversation wants to continue as new after every turn.
    const handle = await client.workflow.start(conversationWorkflow, {
      workflowId: `can-${Date.now()}`,
      taskQueue,
      args: [{ cwd: '/tmp', account: taskQueue, historyLimitBytes: 1 }],
    });
    // Before any turn, so that every turn, in whichever run it starts, runs with it.
    expect(await handle.executeUpdate(configureUpdate, { args: [{ model: 'sonnet' }] })).toBe(1);
    for (const p of ['s1', 's2', 's3']) await handle.signal(sendTurnSignal, p);
    // The ask is accepted (queued) before the next signals, then stays in flight while runs change.
    const asked = await handle.startUpdate(askUpdate, { args: ['ask1'], waitForStage: WorkflowUpdateStage.ACCEPTED });
    for (const p of ['s4', 's5']) await handle.signal(sendTurnSignal, p);
    expect(await asked.result()).toMatchObject({ reply: 'echo ask1' });
    expect(await handle.executeUpdate(askUpdate, { args: ['ask2'] })).toMatchObject({ reply: 'echo ask2' });
    await handle.signal(closeSignal);
    const final = await handle.result();
    expect(final.turns.map((t) => [t.prompt, t.status])).toEqual(
      ['s1', 's2', 's3', 'ask1', 's4', 's5', 'ask2'].map((p) => [p, 'completed']),
    );
    const prompts = ['s1', 's2', 's3', 'ask1', 's4', 's5', 'ask2'];
    expect(final.options.model).toBe('sonnet');
    expect(final.configurations).toEqual([{ revision: 1, at: expect.any(String), changes: { model: 'sonnet' } }]);
    expect(final.turns.every((t) => t.optionsRevision === 1)).toBe(true);
    expect(final.transcriptBytes).toBe(prompts.reduce((n, p) => n + Buffer.byteLength(`{"p":"${p}"}\n`), 0));
  });
  // One session and one growing transcript across every run, and several runs.
  expect(new Set(seen.map((s) => s.sessionId)).size).toBe(1);
  // The runs after the switch still run with the configured model.
  expect(seen.map((s) => s.options.model)).toEqual(Array(7).fill('sonnet'));
  expect(seen.map((s) => s.transcript.length)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  // The conversation switched runs, and turns queued before the switch ran after it.
  expect(new Set(runOf.values()).size).toBeGreaterThanOrEqual(2);
  expect(runOf.get('s5')).not.toBe(runOf.get('s1'));
});
