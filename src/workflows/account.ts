/**
 * The account workflow: one per account (a set of credentials, hence one usage limit). Conversations join it when
 * they start. When one of them is refused for a usage limit it tells the account, and the account tells every other
 * member, so that none of them sends a request to the model before the reset time.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  accountPausedSignal,
  accountStateQuery,
  joinAccountSignal,
  leaveAccountSignal,
  usageLimitSignal,
  type AccountPause,
} from './messages.js';

/** What an account carries across continue-as-new. */
export interface AccountCarry {
  pause?: AccountPause;
  members: string[];
}

/** Runs an account until the workflow is terminated; continues as new when its history grows long. */
export async function accountWorkflow(carry: AccountCarry = { members: [] }): Promise<void> {
  const members = new Set(carry.members);
  let pause = carry.pause;
  const outbox: Array<{ to: string; pause: AccountPause }> = [];
  const paused = (): boolean => pause !== undefined && Date.parse(pause.until) > Date.now();

  setHandler(joinAccountSignal, (id) => {
    members.add(id);
    // A conversation that joins during a pause must wait too.
    if (paused()) outbox.push({ to: id, pause: pause! });
  });
  setHandler(leaveAccountSignal, (id) => {
    members.delete(id);
  });
  setHandler(usageLimitSignal, (refusal) => {
    if (pause && Date.parse(pause.until) >= Date.parse(refusal.until)) return;
    pause = refusal;
    for (const id of members) if (id !== refusal.by) outbox.push({ to: id, pause: refusal });
  });
  setHandler(accountStateQuery, () => ({
    pausedUntil: paused() ? pause!.until : undefined,
    message: paused() ? pause!.message : undefined,
    members: [...members],
  }));

  for (;;) {
    await condition(() => outbox.length > 0 || workflowInfo().continueAsNewSuggested);
    while (outbox.length > 0) {
      const { to, pause: p } = outbox.shift()!;
      try {
        await getExternalWorkflowHandle(to).signal(accountPausedSignal, p);
      } catch (err) {
        // The conversation is gone (closed or terminated): it no longer needs telling.
        log.info('account member gone', { member: to, error: String(err) });
        members.delete(to);
      }
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ pause: paused() ? pause : undefined, members: [...members] });
    }
  }
}
