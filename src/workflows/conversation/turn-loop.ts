/**
 * Running one turn through its failures, as a `runTurn` activity (Temporal retries what a retry can heal):
 * - `UsageLimit`: the account pauses until the reset time (usage-limit-pause.ts), then the same turn runs again;
 * - `Authentication`, `Billing`: the turn waits for a person to resume or skip it (attention.ts);
 * - anything else: the turn fails with its error; the conversation goes on.
 * A turn runs in a cancellation scope of its own, so that `cancelTurn` ends it (and its CLI) and nothing else.
 *
 * The awaits here are the ones the recorded histories were written with: another await in between would move the
 * workflow's commands relative to the Web UI publishing loop's, and running conversations would fail to replay.
 */
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { TurnRecord } from '../../common/conversation.js';
import { excerpt } from '../../common/text.js';
import { runTurn } from './activities.js';
import { needsPerson, takeDecision, waitForPerson } from './attention.js';
import type { Conversation } from './state.js';
import { turnError } from './turn-errors.js';
import { pauseAccount, waitOutPause } from './usage-limit-pause.js';

/** Runs `turn` in a scope of its own until it completes, fails for good, is skipped or is cancelled. */
export async function runCancellableTurn(c: Conversation, turn: TurnRecord): Promise<void> {
  const scope = new CancellationScope();
  c.current = { turn, scope };
  try {
    await scope.run(() => runThroughFailures(c, turn));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    Object.assign(turn, {
      status: 'failed',
      error: { type: 'Cancelled', message: 'turn cancelled' },
      endedAt: new Date().toISOString(),
    });
    log.info('turn cancelled', { turn: turn.index });
  } finally {
    c.current = undefined;
    c.attention = undefined;
    c.decision = undefined;
    c.waitingOnPause = false;
  }
}

/** Runs a turn until it completes, fails for good, or is skipped. */
async function runThroughFailures(c: Conversation, turn: TurnRecord): Promise<void> {
  for (;;) {
    await waitOutPause(c);
    turn.status = 'running';
    turn.startedAt = new Date().toISOString();
    try {
      const { id: conversationId, sessionId, options, transcript } = c;
      const summary = `turn ${turn.index + 1}: ${excerpt(turn.prompt, 60)}`;
      const result = await runTurn.executeWithOptions({ summary }, [
        { conversationId, turnIndex: turn.index, sessionId, prompt: turn.prompt, options, transcript },
      ]);
      const { mode, segments } = result.transcript;
      c.transcript = mode === 'append' ? [...c.transcript, ...segments] : segments;
      const { reply, costUsd, usage, durationMs } = result;
      Object.assign(turn, { status: 'completed', reply, costUsd, usage, durationMs });
      turn.endedAt = new Date().toISOString();
      return;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const { error, details } = turnError(err);
      if (error.type === 'UsageLimit') {
        await pauseAccount(c, turn, error, details);
        turn.status = 'queued';
        continue;
      }
      if (needsPerson(error)) {
        await waitForPerson(c, turn, error);
        if (takeDecision(c) === 'resume') continue;
      }
      turn.status = 'failed';
      turn.error = error;
      turn.endedAt = new Date().toISOString();
      log.warn('turn failed', { turn: turn.index, ...error });
      return;
    }
  }
}
