/**
 * The wait for a person on the time-skipping test server: a turn refused for its credentials or billing waits in
 * `needs_attention` until `resume` (run it again) or `skip` (fail it), sent as the `resumeTurn`/`skipTurn` updates
 * (refused with `NotWaiting` when nothing waits) or as the older `resume`/`skip` signals.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { resumeSignal, resumeUpdate, sendTurnSignal, skipSignal, skipUpdate } from '../../src/workflows/messages.js';
import { authenticationFailure, echo, updateFailure, useWorkflowEnv, waitForState } from '../helpers/workflow-env.js';

const { withConversation } = useWorkflowEnv();

/** How a test sends the person's decision. */
const senders: Record<'signals' | 'updates', (handle: WorkflowHandle, decision: 'resume' | 'skip') => Promise<void>> = {
  signals: (handle, decision) => handle.signal(decision === 'resume' ? resumeSignal : skipSignal),
  updates: (handle, decision) => handle.executeUpdate(decision === 'resume' ? resumeUpdate : skipUpdate),
};

test.each(['signals', 'updates'] as const)(
  'an authentication failure waits in needs_attention; resume runs the turn again, skip fails it (%s)',
  async (via) => {
    const send = senders[via];
    let attempts = 0;
    await withConversation(
      async (input) => {
        if (++attempts <= 2) throw authenticationFailure();
        return echo(input);
      },
      async (handle) => {
        await handle.signal(sendTurnSignal, 'first');
        const waiting = await waitForState(handle, (s) => s.status === 'needs_attention');
        const message = 'Invalid API key · Fix external API key';
        expect(waiting.attention).toEqual({ type: 'Authentication', message });
        await send(handle, 'skip');
        await handle.signal(sendTurnSignal, 'second');
        await waitForState(handle, (s) => s.status === 'needs_attention' && s.turns.length === 2);
        await send(handle, 'resume');
        const done = await waitForState(handle, (s) => s.turns[1]?.status === 'completed');
        expect(done.turns.map((t) => [t.status, t.error?.type])).toEqual([
          ['failed', 'Authentication'],
          ['completed', undefined],
        ]);
        expect(done.status).toBe('idle');
        expect(done.attention).toBeUndefined();
      },
    );
    expect(attempts).toBe(3);
  },
);

test('resumeTurn and skipTurn are refused with NotWaiting when no turn waits for a person', async () => {
  await withConversation(
    async (input) => {
      if (input.prompt === 'unauthorized') throw authenticationFailure();
      return echo(input);
    },
    async (handle) => {
      const idle = await updateFailure(handle.executeUpdate(resumeUpdate));
      expect(idle).toMatchObject({
        type: 'NotWaiting',
        message: `conversation ${handle.workflowId} does not need attention (status idle)`,
      });
      expect(await updateFailure(handle.executeUpdate(skipUpdate))).toMatchObject({ type: 'NotWaiting' });

      // Once a turn waits, the first decision is taken and a second one is refused: nothing waits any more.
      await handle.signal(sendTurnSignal, 'unauthorized');
      await waitForState(handle, (s) => s.status === 'needs_attention');
      expect(await updateFailure(handle.executeUpdate(skipUpdate))).toBeUndefined();
      const after = await waitForState(handle, (s) => s.turns[0]?.status === 'failed');
      expect(after.turns[0]!.error?.type).toBe('Authentication');
      expect(await updateFailure(handle.executeUpdate(resumeUpdate))).toMatchObject({ type: 'NotWaiting' });
    },
  );
});
