/**
 * Running one turn through its failures, as a `runTurn` activity (Temporal retries what a retry can heal):
 * - over its budget (`maxCostUsd`): the turn does not start; it waits for a person or a raised budget (budget.ts);
 * - `UsageLimit`: the account pauses until the reset time (usage-limit-pause.ts), then the same turn runs again;
 * - `Authentication`, `Billing`: the turn waits for a person to resume or skip it (attention.ts);
 * - `ContextOverflow`: the session is compacted (a compaction turn, see {@link compactFor}), then the turn runs again,
 *   once; a second overflow fails it;
 * - anything else: the turn fails with its error; the conversation goes on.
 * A run that pauses at a tool call (`TurnResult.pending`) does not end the turn: it waits for a person's decision
 * (approval.ts), then runs again, continuing the session (`continues`, with every decision made on the turn so far).
 * A turn runs in a cancellation scope of its own, so that `cancelTurn` ends it (and its CLI) and nothing else.
 * A run goes to the worker that kept the conversation's CLI alive when there is one, else to any worker (warm-route.ts).
 *
 * The awaits here are the ones the recorded histories were written with: another await in between would move the
 * workflow's commands relative to the Web UI publishing loop's, and running conversations would fail to replay. The
 * budget wait and the compaction add awaits only on paths those histories never took (no `maxCostUsd`, no
 * `ContextOverflow` then), so they need no patch.
 */
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { ConversationOptions, TurnInput, TurnRecord, TurnResult, TurnUsage } from '../../common/conversation.js';
import type { ToolDenial } from '../../common/agent-options.js';
import type { TurnError } from '../../common/errors.js';
import { excerpt } from '../../common/text.js';
import { allowRule, waitForDecision } from './approval.js';
import { needsPerson, takeDecision, waitForPerson } from './attention.js';
import { budgetExceeded, remainingBudgetUsd, waitOnBudget } from './budget.js';
import { withChanges, type Conversation } from './state.js';
import { turnError } from './turn-errors.js';
import { pauseAccount, waitOutPause } from './usage-limit-pause.js';
import { runRouted, warmAfter } from './warm-route.js';

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
    c.pending = undefined;
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
  // The options the turn started with: a run that continues it after a paused call keeps them (and their revision).
  let options = c.options;
  for (;;) {
    await waitOutPause(c);
    // A turn that paused at a tool call and got a decision is continued: it passed the budget check when it started.
    const continues = (turn.decisions?.length ?? 0) > 0;
    const overBudget = pastBudget || continues ? undefined : budgetExceeded(c);
    if (overBudget) {
      const decision = await waitOnBudget(c, turn, overBudget);
      if (decision === 'skip') return fail(turn, overBudget);
      // A person's `resume` runs this turn once past the budget; a raised budget is checked again.
      pastBudget = decision === 'resume';
      continue;
    }
    turn.status = 'running';
    if (!continues) {
      turn.startedAt = new Date().toISOString();
      turn.optionsRevision = c.revision;
      options = c.options;
    }
    let result: TurnResult;
    try {
      const summary = `turn ${turn.index + 1}${continues ? ' (continued)' : ''}: ${excerpt(turn.prompt, 60)}`;
      result = await runRouted(c, turn, turnInput(c, turn, options, pastBudget, continues), summary, continues);
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
    const { mode, segments } = result.transcript;
    c.transcript = mode === 'append' ? [...c.transcript, ...segments] : segments;
    c.warm = warmAfter(turn, result);
    if (result.workspace) c.workspaceChanged(turn, result.workspace);
    const { costUsd, usage, durationMs, denials } = soFar(turn, result);
    if (result.pending) {
      Object.assign(turn, { costUsd, usage, durationMs });
      if (denials.length) turn.denials = denials;
      // The turn goes on once a person decided; `approve --always` stops the rest of it waiting on the same rule.
      const allowed = await waitForDecision(c, turn, result.pending, options.approvalTimeoutS);
      if (allowed) options = withChanges(options, allowRule(options, allowed));
      continue;
    }
    Object.assign(turn, { status: 'completed', reply: result.reply, costUsd, usage, durationMs });
    // Only when there are some, so that turns without them keep the shape they always had.
    if (denials.length) turn.denials = denials;
    if (result.structured !== undefined) turn.structured = result.structured;
    turn.transcriptBytes = c.transcriptBytes();
    turn.endedAt = new Date().toISOString();
    return;
  }
}

/**
 * What `turn`'s runs reported so far, `result` included: cost, usage, duration and refused calls, summed over the
 * runs of a turn that paused at tool calls (a turn that ran once gets exactly what its run reported).
 */
function soFar(
  turn: TurnRecord,
  result: TurnResult,
): Pick<TurnRecord, 'costUsd' | 'usage' | 'durationMs'> & { denials: ToolDenial[] } {
  const { costUsd, usage, durationMs, denials = [] } = result;
  if (!turn.decisions?.length) return { costUsd, usage, durationMs, denials };
  return {
    costUsd: sum(turn.costUsd, costUsd),
    usage: turn.usage && usage ? addUsage(turn.usage, usage) : (usage ?? turn.usage),
    durationMs: sum(turn.durationMs, durationMs),
    denials: [...(turn.denials ?? []), ...denials],
  };
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : a + b;
}

function addUsage(a: TurnUsage, b: TurnUsage): TurnUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

/**
 * The activity's input for `turn`: its options, the transcript so far, the budget left, when it continues after
 * paused calls every decision made on them, and where its workspace starts.
 * @param options the options current as the turn started.
 * @param pastBudget the turn skipped the budget check (a person resumed it past its budget, or it is the compaction of
 * a turn that passed it): no cap for the CLI then.
 */
function turnInput(
  c: Conversation,
  turn: TurnRecord,
  options: ConversationOptions,
  pastBudget: boolean,
  continues: boolean,
): TurnInput {
  const { id: conversationId, sessionId, transcript } = c;
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
  if (turn.decisions?.length) Object.assign(input, { continues: true, decisions: turn.decisions });
  const workspace = c.workspaceInput(turn, continues);
  if (workspace) input.workspace = workspace;
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
