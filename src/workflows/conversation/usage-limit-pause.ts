/**
 * The usage-limit pause: a turn refused for a usage limit pauses the whole account (every conversation on the same
 * credentials, through the account workflow) until the reset time, and the turn waits on a durable timer, then runs
 * again. A pause announced by the account (`accountPaused` signal) holds this conversation's turns back the same way.
 */
import { getExternalWorkflowHandle, log, sleep } from '@temporalio/workflow';
import type { TurnRecord } from '../../common/conversation.js';
import type { TurnError, TurnFailureDetails } from '../../common/errors.js';
import { utcTime } from '../../common/text.js';
import { accountWorkflowId, usageLimitSignal, type AccountPause } from '../messages.js';
import type { Conversation } from './state.js';

/** Wait this long past a reset time before running the turn again: resets are announced to the minute. */
export const RESET_MARGIN_MS = 2_000;
/** A usage limit whose reset time could not be read pauses the account this long. */
export const UNKNOWN_RESET_PAUSE_MS = 15 * 60_000;

/** Sleeps on durable timers until the account's pause is over (it may be extended while sleeping). */
export async function waitOutPause(c: Conversation): Promise<void> {
  while (c.paused()) {
    c.waitingOnPause = true;
    await sleep(Date.parse(c.pause!.until) - Date.now() + RESET_MARGIN_MS, {
      summary: `usage limit: until ${utcTime(c.pause!.until, new Date())}`,
    });
  }
  c.waitingOnPause = false;
}

/**
 * Pauses the account after `turn` was refused for a usage limit: until the reset time in `details` (or
 * {@link UNKNOWN_RESET_PAUSE_MS} from now when the failure had none), here at once and in the account workflow,
 * which tells the account's other conversations. The promise settles once the account got the signal (a failure
 * to deliver it is logged, never thrown).
 */
export function pauseAccount(
  c: Conversation,
  turn: TurnRecord,
  error: TurnError,
  details?: TurnFailureDetails,
): Promise<void> {
  const until = details?.resetsAt ?? new Date(Date.now() + UNKNOWN_RESET_PAUSE_MS).toISOString();
  const refusal: AccountPause = { until, message: error.message, by: c.id };
  c.extendPause(refusal);
  log.warn('usage limit: pausing until the reset time', { turn: turn.index, until });
  // Not an async function: the turn loop awaits this very promise, so the workflow's commands keep the order the
  // recorded histories have.
  return getExternalWorkflowHandle(accountWorkflowId(c.options.account))
    .signal(usageLimitSignal, refusal)
    .catch((e: unknown) => log.warn('could not tell the account about the usage limit', { error: String(e) }));
}
