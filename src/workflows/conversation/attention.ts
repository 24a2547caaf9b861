/**
 * The wait for a person: a turn refused for its credentials (`Authentication`), billing (`Billing`), or a push the git
 * remote refused (`PushRejected`: someone else moved the conversation's branch) waits, with
 * the conversation in `needs_attention`, until someone fixes them and sends `resume` (run the turn again) or `skip`
 * (fail it with its error), as an update (`resumeTurn`, `skipTurn`: refused with `NotWaiting` when nothing waits) or
 * as the older signal (`resume`, `skip`: ignored when nothing waits).
 */
import { ApplicationFailure, condition, log } from '@temporalio/workflow';
import type { TurnRecord } from '../../common/conversation.js';
import type { TurnError } from '../../common/errors.js';
import type { Conversation } from './state.js';

/** True when a turn failing with `error` waits for a person instead of failing. */
export function needsPerson(error: TurnError): boolean {
  return error.type === 'Authentication' || error.type === 'Billing' || error.type === 'PushRejected';
}

/**
 * Puts the conversation in `needs_attention` for `turn`, which failed with `error`; the promise resolves once a
 * person decided (read it with {@link takeDecision}).
 */
export function waitForPerson(c: Conversation, turn: TurnRecord, error: TurnError): Promise<void> {
  c.attention = error;
  turn.status = 'queued';
  log.warn('turn needs attention: waiting for resume or skip', { turn: turn.index, ...error });
  // Not an async function: the turn loop awaits this very promise, so the workflow's commands keep their order.
  return condition(() => c.decision !== undefined);
}

/** The person's decision, once made; the conversation no longer needs attention. */
export function takeDecision(c: Conversation): 'resume' | 'skip' {
  const decision = c.decision === 'skip' ? 'skip' : 'resume';
  c.attention = undefined;
  c.decision = undefined;
  return decision;
}

/** The `resume`/`skip` signals: decide when a turn waits, else nothing (a signal cannot be refused). */
export function decide(c: Conversation, decision: 'resume' | 'skip'): void {
  if (c.attention) c.decision = decision;
}

/**
 * Validator of the `resumeTurn`/`skipTurn` updates.
 * @throws ApplicationFailure `NotWaiting` when no turn waits for a person.
 */
export function refuseUnlessWaiting(c: Conversation): void {
  if (!c.needsAttention()) {
    throw ApplicationFailure.nonRetryable(
      `conversation ${c.id} does not need attention (status ${c.status()})`,
      'NotWaiting',
    );
  }
}
