/**
 * Running one turn through its failures, as a `runTurn` activity (Temporal retries what a retry can heal):
 * - over its budget (`maxCostUsd`): the turn does not start; it waits for a person or a raised budget (budget.ts);
 * - `UsageLimit`: the account pauses until the reset time (usage-limit-pause.ts), then the same turn runs again;
 * - `Authentication`, `Billing`: the turn waits for a person to resume or skip it (attention.ts);
 * - `ContextOverflow`: the session is compacted (a compaction turn, see {@link compactFor}), then the turn runs again,
 *   once; a second overflow fails it;
 * - anything else: the turn fails with its error; the conversation goes on.
 * A turn runs in a cancellation scope of its own, so that `cancelTurn` ends it (and its CLI) and nothing else.
 *
 * The awaits here are the ones the recorded histories were written with: another await in between would move the
 * workflow's commands relative to the Web UI publishing loop's, and running conversations would fail to replay. The
 * budget wait and the compaction add awaits only on paths those histories never took (no `maxCostUsd`, no
 * `ContextOverflow` then), so they need no patch.
 */
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { TurnInput, TurnRecord } from '../../common/conversation.js';
import type { TurnError } from '../../common/errors.js';
import { excerpt } from '../../common/text.js';
import { runTurn } from './activities.js';
import { needsPerson, takeDecision, waitForPerson } from './attention.js';
import { budgetExceeded, remainingBudgetUsd, waitOnBudget } from './budget.js';
import type { Conversation } from './state.js';
import { turnError } from './turn-errors.js';
import { pauseAccount, waitOutPause } from './usage-limit-pause.js';

const CANCELLED: TurnError = { type: 'Cancelled', message: 'turn cancelled' };

/** Runs `turn` in a scope of its own until it completes, fails for good, is skipped or is cancelled. */
export async function runCancellableTurn(c: Conversation, turn: TurnRecord): Promise<void> {
  const scope = new CancellationScope();
  c.current = { turn, scope };
  try {
    await scope.run(() => runThroughFailures(c, turn));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    fail(turn, CANCELLED);
    log.info('turn cancelled', { turn: turn.index });
  } finally {
    c.current = undefined;
    c.attention = undefined;
    c.decision = undefined;
    c.waitingOnPause = false;
  }
}

/**
 * Runs a turn until it completes, fails for good, or is skipped.
 * @param compaction true for the compaction a turn runs after `ContextOverflow`: part of that turn, which already
 * passed the budget check, and never compacted again.
 */
async function runThroughFailures(c: Conversation, turn: TurnRecord, compaction = false): Promise<void> {
  let pastBudget = compaction;
  // A compaction that overflows (on demand or for a turn) is not compacted in turn: it fails.
  let compacted = compaction || turn.kind === 'compact';
  for (;;) {
    await waitOutPause(c);
    const overBudget = pastBudget ? undefined : budgetExceeded(c);
    if (overBudget) {
      const decision = await waitOnBudget(c, turn, overBudget);
      if (decision === 'skip') return fail(turn, overBudget);
      // A person's `resume` runs this turn once past the budget; a raised budget is checked again.
      pastBudget = decision === 'resume';
      continue;
    }
    turn.status = 'running';
    turn.startedAt = new Date().toISOString();
    turn.optionsRevision = c.revision;
    try {
      const summary = `turn ${turn.index + 1}: ${excerpt(turn.prompt, 60)}`;
      const result = await runTurn.executeWithOptions({ summary }, [turnInput(c, turn, pastBudget)]);
      const { mode, segments } = result.transcript;
      c.transcript = mode === 'append' ? [...c.transcript, ...segments] : segments;
      const { reply, costUsd, usage, durationMs, denials, structured } = result;
      Object.assign(turn, { status: 'completed', reply, costUsd, usage, durationMs });
      // Only when there are some, so that turns without them keep the shape they always had.
      if (denials?.length) turn.denials = denials;
      if (structured !== undefined) turn.structured = structured;
      turn.endedAt = new Date().toISOString();
      return;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = turnError(err);
      let { error } = failure;
      if (error.type === 'UsageLimit') {
        await pauseAccount(c, turn, error, failure.details);
        turn.status = 'queued';
        continue;
      }
      if (error.type === 'ContextOverflow' && !compacted) {
        compacted = true;
        const compactionError = await compactFor(c, turn);
        if (!compactionError) continue;
        error = { ...error, message: `${error.message} (compaction failed: ${compactionError.type})` };
      }
      if (needsPerson(error)) {
        await waitForPerson(c, turn, error);
        if (takeDecision(c) === 'resume') continue;
      }
      fail(turn, error);
      log.warn('turn failed', { turn: turn.index, ...error });
      return;
    }
  }
}

/**
 * The activity's input for `turn`: the options current as it starts, the transcript so far, and the budget left.
 * @param pastBudget the turn skipped the budget check (a person resumed it past its budget, or it is the compaction of
 * a turn that passed it): no cap for the CLI then.
 */
function turnInput(c: Conversation, turn: TurnRecord, pastBudget: boolean): TurnInput {
  const { id: conversationId, sessionId, options, transcript } = c;
  const input: TurnInput = {
    conversationId,
    turnIndex: turn.index,
    sessionId,
    prompt: turn.prompt,
    options,
    transcript,
  };
  // Set only when they apply, so that the inputs of turns that always ran the same way do not change shape.
  if (turn.kind === 'compact') input.kind = 'compact';
  const remaining = pastBudget ? undefined : remainingBudgetUsd(c);
  if (remaining !== undefined) input.remainingBudgetUsd = remaining;
  return input;
}

/**
 * Compacts the session for `turn`, which overflowed the model's context: a compaction turn (kind `compact`, prompt
 * `/compact`) is appended at the end of the conversation's turns with the next index (so it may come after turns that
 * are queued behind `turn`; indexes are arrival order, and the compaction arrived last) and runs at once, through the
 * same failures as any turn; `turn` keeps its index, waits queued, and then runs again.
 * @returns the compaction's error when it did not complete, else undefined.
 */
async function compactFor(c: Conversation, turn: TurnRecord): Promise<TurnError | undefined> {
  const compaction = c.addCompaction(false);
  turn.status = 'queued';
  log.info('context overflow: compacting the session, then running the turn again', {
    turn: turn.index,
    compaction: compaction.index,
  });
  try {
    await runThroughFailures(c, compaction, true);
  } catch (err) {
    // `cancelTurn` cancels the turn and the compaction it is waiting on.
    if (isCancellation(err)) fail(compaction, CANCELLED);
    throw err;
  }
  c.cutOld(compaction);
  return compaction.error;
}

/** Ends `turn` as failed with `error`. */
function fail(turn: TurnRecord, error: TurnError): void {
  Object.assign(turn, { status: 'failed', error, endedAt: new Date().toISOString() });
}
