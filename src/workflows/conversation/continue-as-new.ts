/**
 * When a conversation continues as new, and what it carries into the next run. A conversation lives for days and
 * its history grows with every turn; a fresh run keeps it replayable and under Temporal's history limits.
 * It continues only between turns and with no `ask` waiting on a queued turn, so that nothing is in flight: queued
 * turns travel in the carried state; signals and updates that arrive later go to the new run.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { Configuration, TranscriptSegment, TurnRecord } from '../../common/conversation.js';
import type { AccountPause } from '../messages.js';
import type { Conversation, WorkspaceHead } from './state.js';
import type { WarmRoute } from './warm-route.js';

/**
 * What a conversation carries into its next run when it continues as new (the options travel as the run's first
 * argument: the ones current then). Also how an imported session starts: `imported`, no turns, its transcript.
 */
export interface ConversationCarry {
  sessionId: string;
  turns: TurnRecord[];
  transcript: TranscriptSegment[];
  closing: boolean;
  pause?: AccountPause;
  /** The options' revision (absent: 0, as started). */
  optionsRevision?: number;
  /** Every `configure` so far (absent: none). */
  configurations?: Configuration[];
  /** Where the workspace stands (absent: nowhere yet, or no workspace). */
  workspace?: WorkspaceHead;
  /** A session imported by `convo start --import`: a first run, which joins its account like a fresh start. */
  imported?: boolean;
  /** The warm session the last run left (absent: none). */
  warm?: WarmRoute;
}

/**
 * Only the latest turns keep their whole prompt and reply in workflow state; older ones keep an excerpt, so that the
 * `state` query and the state carried across continue-as-new stay far below Temporal's 2 MiB payload limit.
 */
export const FULL_TURNS_KEPT = 20;
const EXCERPT_CHARS = 500;

/** An old turn with its prompt and reply cut to an excerpt, so that carried state stays far below 2 MiB. */
export function truncateTurn(turn: TurnRecord): TurnRecord {
  const cut = (text: string | undefined) =>
    text && text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  const prompt = cut(turn.prompt)!;
  const reply = cut(turn.reply);
  return prompt === turn.prompt && reply === turn.reply ? turn : { ...turn, prompt, reply, truncated: true };
}

/**
 * True when this run's history is big enough to continue as new (Temporal suggests it, or it passed the
 * conversation's `historyLimitBytes`) and this run has done something (a run that ran no turn would loop).
 */
export function historyFull(c: Conversation): boolean {
  const info = workflowInfo();
  return c.turnsThisRun > 0 && (info.continueAsNewSuggested || info.historySize > c.options.historyLimitBytes);
}

/** True when this run should end here and continue as new: the history is full, no ask waits, work remains. */
export function shouldContinueAsNew(c: Conversation): boolean {
  return historyFull(c) && !c.askQueued() && !(c.closing && c.queue.length === 0);
}

/** The state the next run starts from; a pause that is over is dropped. */
export function carry(c: Conversation): ConversationCarry {
  return {
    sessionId: c.sessionId,
    turns: c.turns,
    transcript: c.transcript,
    closing: c.closing,
    pause: c.paused() ? c.pause : undefined,
    // Only with a workspace, so that the carried state of conversations without one stays as it was.
    ...(Object.keys(c.workspace).length > 0 && { workspace: c.workspace }),
    // Only once configured, so that the carried state of conversations that never were stays as it was.
    ...(c.revision > 0 ? { optionsRevision: c.revision, configurations: c.configurations } : {}),
    ...(c.warm && { warm: c.warm }),
  };
}
