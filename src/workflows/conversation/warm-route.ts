/**
 * Where a turn's run goes: to the worker that kept the conversation's CLI alive after the previous run (a warm
 * session, on that worker's own task queue), or to the shared task queue, where any worker restores the transcript
 * and spawns the CLI.
 *
 * A warm run is tried once: when that worker does not pick it up within {@link WARM_START_TIMEOUT} (gone, busy,
 * shutting down), or it fails in a way a retry could heal (its worker died mid-run, a server error), the run goes to
 * the shared task queue at once, with the usual retries. What a retry cannot heal fails the turn as it would anywhere.
 * The worker uses the live CLI only when its options and transcript are exactly the conversation's; otherwise it runs
 * the turn from the transcript like any worker. The transcript the workflow holds stays the only truth either way.
 *
 * New command shapes (another task queue, a second activity after a timeout) come after the `convo-warm` patch
 * marker; histories recorded before it never carry a kept session (no `TurnResult.warm`), and so never get here.
 */
import { isCancellation, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { TurnInput, TurnRecord, TurnResult } from '../../common/conversation.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../../common/errors.js';
import { RUN_TURN_OPTIONS, runTurn } from './activities.js';
import type { Conversation } from './state.js';

/** How long a warm run waits for its worker to pick it up before it goes to the shared task queue. */
export const WARM_START_TIMEOUT = '3 seconds';

/** The patch behind which turns may go to a warm session. */
export const WARM_PATCH = 'convo-warm';

/** The warm session a conversation's previous run left: its worker's task queue and the options revision it ran. */
export interface WarmRoute {
  taskQueue: string;
  revision: number;
}

/**
 * Runs `input` (a run of `turn`) where it fits best (see the file's comment). Not `async` on the shared path, so that
 * a conversation without a warm session schedules and awaits its activity exactly as before.
 * @param continues the run continues a turn paused at a tool call (never warm: it has no new prompt).
 */
export function runRouted(
  c: Conversation,
  turn: TurnRecord,
  input: TurnInput,
  summary: string,
  continues: boolean,
): Promise<TurnResult> {
  const warm = c.warm;
  // Whatever happens, the session is used (or gone) after this run; the run's result says whether one is kept.
  c.warm = undefined;
  const fits = warm && warm.revision === c.revision && !continues && turn.kind !== 'compact';
  if (!fits || !patched(WARM_PATCH)) return runTurn.executeWithOptions({ summary }, [input]);
  return runWarm(warm, input, summary);
}

/** The session `result` says its worker kept, for the next turn; undefined when none. */
export function warmAfter(turn: TurnRecord, result: TurnResult): WarmRoute | undefined {
  return result.warm && { taskQueue: result.warm.taskQueue, revision: turn.optionsRevision ?? 0 };
}

async function runWarm(warm: WarmRoute, input: TurnInput, summary: string): Promise<TurnResult> {
  const { runTurn: runWarmTurn } = proxyActivities<Activities>({
    ...RUN_TURN_OPTIONS,
    taskQueue: warm.taskQueue,
    scheduleToStartTimeout: WARM_START_TIMEOUT,
    retry: { ...RUN_TURN_OPTIONS.retry, maximumAttempts: 1 },
  });
  try {
    return await runWarmTurn.executeWithOptions({ summary: `${summary} (warm)` }, [input]);
  } catch (err) {
    if (isCancellation(err) || !healsElsewhere(err)) throw err;
    log.info('warm session not available: the turn runs on the shared task queue', {
      turn: input.turnIndex,
      taskQueue: warm.taskQueue,
      cause: failureName(err),
    });
    return runTurn.executeWithOptions({ summary }, [input]);
  }
}

/**
 * Whether a failed warm run may heal on another worker: a timeout (not picked up in time, its worker stopped
 * heartbeating), or a failure that is not marked non-retryable. Matches on `name` and `type`, not `instanceof`, as
 * failures are rebuilt across the sandbox boundary.
 */
function healsElsewhere(err: unknown): boolean {
  const cause = (err as { cause?: { name?: unknown; type?: unknown; nonRetryable?: unknown } } | undefined)?.cause;
  if (!cause) return false;
  if (cause.name === 'TimeoutFailure') return true;
  if (cause.name !== 'ApplicationFailure') return false;
  return cause.nonRetryable !== true && !(NON_RETRYABLE_ERROR_TYPES as readonly unknown[]).includes(cause.type);
}

function failureName(err: unknown): string {
  const cause = (err as { cause?: { name?: unknown; type?: unknown; timeoutType?: unknown } }).cause;
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return `${text(cause?.name)} ${text(cause?.type ?? cause?.timeoutType)}`.trim();
}
