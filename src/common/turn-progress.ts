/**
 * What a running turn reports in its heartbeat details. Deterministic: imported by workflow code.
 */
import type { LiveEvent } from './turn-events.js';

/**
 * Heartbeat details: what a turn has done so far, and what it is doing now (the latest text and live events). The Web
 * UI shows them on the pending activity; `convo ask`, `convo watch` and `ConvoClient.follow` read them (from the
 * workflow's description). They reach the server at most about a second after the CLI printed them (the worker
 * throttles heartbeats to one a second).
 */
export interface TurnProgress {
  /** stream-json events the CLI printed so far. */
  events: number;
  /** Tool calls so far. */
  toolCalls: number;
  /** Name of the latest tool call, e.g. `Bash`. */
  lastTool?: string;
  /** Its input on one line (command, path, …), secrets redacted. */
  lastToolInput?: string;
  /** Time since the CLI started, ms. */
  elapsedMs: number;
  /** The turn these details are from (its index, from 0). */
  turnIndex?: number;
  /** The turn activity's id within the workflow run: which run of the turn (see `TurnCursor.run`). */
  activityId?: string;
  /** The activity's attempt (1 on the first try): `live` is numbered from 0 per attempt. */
  attempt?: number;
  /** Set when this run goes on from where the turn's previous run paused (after a decision on a tool call). */
  continued?: true;
  /** The assistant's latest text (the message being written, or the last one), its last 1000 characters. */
  text?: string;
  /** The latest live events of this attempt, oldest first, `seq` contiguous, within `LIVE_WINDOW_BYTES` (32 KB). */
  live?: LiveEvent[];
}
