/**
 * Live turn events: what a running turn's CLI is doing as it does it (text and thinking as they are written, tool
 * calls and their results), and the events `ConvoClient.follow` yields across turns with the cursor that resumes it.
 *
 * Path: the backend's event stream turns CLI output into {@link LiveItem}s; the turn activity numbers them per attempt,
 * redacts secrets and keeps the latest in its heartbeat details (`TurnProgress.live`, bounded to
 * {@link LIVE_WINDOW_BYTES}); a follower reads those details from the workflow's description (pending activities)
 * and the turns' ends from the `state` query. Only Temporal carries them: no port on workers, and they pass through
 * the payload codec like every payload (encrypted when encryption is on). Shared with workflow-free client code; no
 * Node built-ins.
 */
import type { TurnError } from './errors.js';

/** Bound on a heartbeat's live events, bytes of their JSON: the latest events that fit are kept. */
export const LIVE_WINDOW_BYTES = 32 * 1024;
/** Longest text or thinking event, characters: a longer chunk is split into events this long. */
export const LIVE_CHUNK_MAX_CHARS = 2000;
/** Longest tool result excerpt in a live event, characters. */
export const LIVE_RESULT_MAX_CHARS = 500;
/** Length of `TurnProgress.text`, the latest assistant text shown with the heartbeat details, characters (its end). */
export const LIVE_TEXT_MAX_CHARS = 1000;

/** One thing a running CLI did, as its backend reads it from the event stream (not yet numbered or redacted). */
export type LiveItem =
  /** Assistant text as the model writes it: a chunk (Claude Code: one `text_delta`; opencode: a whole text part). */
  | { type: 'text'; text: string }
  /** The model's thinking, a chunk (Claude Code: one `thinking_delta`; opencode: a whole reasoning part). */
  | { type: 'thinking'; text: string }
  /** A tool call: the tool's name and its input on one line (command, path, …, at most 200 characters). */
  | { type: 'tool_call'; tool: string; input?: string; id?: string }
  /** A tool call's result: the start of its output (at most {@link LIVE_RESULT_MAX_CHARS} characters). */
  | { type: 'tool_result'; tool?: string; output: string; error?: boolean; id?: string };

/** A {@link LiveItem} as the heartbeat details carry it: numbered from 0 per attempt of the turn activity, redacted. */
export type LiveEvent = LiveItem & { seq: number };

/**
 * Where a follower is: the last event it was given. Pass it back as `follow(id, { after })` to go on from there with
 * no event repeated or lost (while the heartbeat window still holds the next one; else a `gap` event says so).
 * Plain JSON: store it as it is.
 */
export interface TurnCursor {
  /** The turn's index (from 0). */
  turn: number;
  /**
   * Where in the turn, in order: `start` (turn_started), `live` (the live events of a run, and run_started and gap),
   * `tail` (the text of the reply the live events did not show), `end` (turn_completed or turn_failed).
   */
  part: 'start' | 'live' | 'tail' | 'end';
  /**
   * The run of the turn (`live`): the turn activity's id within the workflow run. A turn runs again, as a new
   * activity, after a paused tool call's decision, a usage limit's reset, attention or a compaction.
   */
  run?: string;
  /** The activity's attempt (`live`; 1 on the first try): a retried attempt numbers its events from 0 again. */
  attempt?: number;
  /** The event's number within the attempt (`live`); -1 for run_started. */
  seq?: number;
  /**
   * Characters of the assistant's current message that the text events up to here showed (since the last tool call
   * or restart); -1 when unknown (events were missed). Lets a resumed follower give the rest of the reply.
   */
  chars?: number;
}

/** An event `ConvoClient.follow` yields, with its cursor. */
export type FollowEvent = { cursor: TurnCursor } &
  /** The turn started running (left the queue). */
  (
    | { type: 'turn_started'; prompt: string }
    /**
     * Another run of the turn started: a retried attempt, or the turn run again (after a decision on a paused tool
     * call, a usage limit's reset, attention, a compaction). `restart`: it starts over from an earlier point (a retry,
     * or a run that does not continue the previous one), so what the earlier run showed since then no longer counts.
     */
    | { type: 'run_started'; attempt: number; restart: boolean; lastFailure?: string }
    /** Live events the follower can no longer get (the heartbeat window moved past them); `missed` of them. */
    | { type: 'gap'; missed: number }
    /**
     * Assistant text. `fromReply`: the end of the reply that no live event showed (the last heartbeat before a turn ends
     * rarely reaches the server), given once the turn completed.
     */
    | { type: 'text'; text: string; fromReply?: true }
    | { type: 'thinking'; text: string }
    | { type: 'tool_call'; tool: string; input?: string; id?: string }
    | { type: 'tool_result'; tool?: string; output: string; error?: boolean; id?: string }
    /** The turn completed: its reply (and with a JSON schema, the structured answer), cost and duration. */
    | { type: 'turn_completed'; reply: string; structured?: unknown; costUsd?: number; durationMs?: number }
    /** The turn failed for good (or was cancelled or skipped). */
    | { type: 'turn_failed'; error: TurnError }
  );

/** The kinds of {@link FollowEvent}. */
export type FollowEventType = FollowEvent['type'];
