/** Decoding a failed `runTurn` activity into the turn error the conversation records and acts on. */
import { isTurnErrorType, type TurnError, type TurnFailureDetails } from '../../common/errors.js';

/**
 * The turn error carried by an activity failure: its `ApplicationFailure` type, message and details when it has
 * them (`details[0]`, a {@link TurnFailureDetails}); a timeout (the worker stopped heartbeating) or anything else is
 * `Unknown`. Matches on `type` and `name`, not `instanceof`, as failures are rebuilt across the sandbox boundary.
 */
export function turnError(err: unknown): { error: TurnError; details?: TurnFailureDetails } {
  const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
  const failure = cause as {
    type?: unknown;
    name?: unknown;
    message?: unknown;
    timeoutType?: unknown;
    details?: unknown[];
  };
  const message = typeof failure?.message === 'string' ? failure.message : String(cause);
  if (isTurnErrorType(failure?.type)) {
    return { error: { type: failure.type, message }, details: failure.details?.[0] as TurnFailureDetails | undefined };
  }
  if (failure?.name === 'TimeoutFailure') {
    const timedOut = `turn timed out (${String(failure.timeoutType)}): the worker running it stopped answering`;
    return { error: { type: 'Unknown', message: timedOut } };
  }
  return { error: { type: 'Unknown', message } };
}
