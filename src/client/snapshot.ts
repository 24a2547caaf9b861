/**
 * The turn being worked on, as `ConvoClient.snapshot` reports it: the workflow's state joined with the server's
 * view of the turn activity (attempt, heartbeat progress, last failure).
 */
import type { ConversationState, TurnProgress } from '../common/conversation.js';
import type { PendingTurn } from './visibility.js';

/** What `ConvoClient.snapshot` reports of the turn being worked on. */
export interface TurnActivity {
  /** The turn's index (from 0) and prompt. */
  index: number;
  prompt: string;
  /** `running`, or `waiting` (for a usage limit's reset, for attention, or for a worker to pick the turn up). */
  phase: 'running' | 'waiting';
  /** Attempt number of the turn activity (1 on the first try). */
  attempt?: number;
  /** The activity's latest heartbeat details, when the CLI has started. */
  progress?: TurnProgress;
  /** Why the last attempt failed, when it is being retried. */
  lastFailure?: string;
}

/**
 * The turn being worked on: the one whose tool call waits for a person, the running one, or while the conversation
 * waits (usage limit, attention, approval) the first queued one. Undefined when there is none.
 */
export function currentTurn(state: ConversationState): ConversationState['turns'][number] | undefined {
  const waiting =
    state.status === 'rate_limited' || state.status === 'needs_attention' || state.status === 'needs_approval';
  return (
    state.turns.find((t) => t.pending !== undefined) ??
    state.turns.find((t) => t.status === 'running') ??
    (waiting ? state.turns.find((t) => t.status === 'queued') : undefined)
  );
}

/** The {@link TurnActivity} of `turn`, given the pending turn activity the server reports (if any). */
export function turnActivity(turn: { index: number; prompt: string }, pending: PendingTurn | undefined): TurnActivity {
  return {
    index: turn.index,
    prompt: turn.prompt,
    phase: pending?.started ? 'running' : 'waiting',
    attempt: pending?.attempt,
    progress: pending?.progress,
    lastFailure: pending?.lastFailure,
  };
}
