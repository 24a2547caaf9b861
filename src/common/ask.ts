/**
 * What an `ask` update answers: the completed turn's reply, or only its index and small fields when the client asked
 * to leave the reply out of history (it reads it with the `turn` query). Deterministic: imported by workflow code.
 */
import type { ToolDenial } from './agent-options.js';
import { utf8ByteLength } from './text.js';

/** A completed turn's answer to `ask`. */
export interface TurnReply {
  index: number;
  reply: string;
  costUsd?: number;
  durationMs?: number;
  /** Tool calls the CLI refused in this turn. */
  denials?: ToolDenial[];
  /** With `jsonSchema`: the reply parsed as JSON. */
  structured?: unknown;
}

/** What an `ask` tells the workflow besides its prompt (the update's optional second argument). */
export interface AskOptions {
  /**
   * Leave the reply and `structured` out of the update's result: the caller reads them from the turn (the `turn`
   * query), so that history holds the reply once (in the turn activity's result) rather than twice. Callers that send
   * no options (older clients, the Web UI) get the whole {@link TurnReply}.
   */
  omitReply?: boolean;
  /**
   * With {@link omitReply}: leave the reply out only when it is longer than this many UTF-8 bytes (a short reply
   * costs history little, and saves the caller the `turn` query's round trip). Unset: always.
   */
  omitReplyOver?: number;
}

/** A short reply travels in the `ask` update's result even when the client asks to omit replies (see
 * {@link AskOptions.omitReplyOver}), bytes: the round trip saved outweighs the history it costs. */
export const ASK_INLINE_REPLY_MAX_BYTES = 2048;

/** Whether the `ask` update's result leaves out `reply` (as `options` ask). */
export function omitsReply(options: AskOptions | undefined, reply: string): boolean {
  if (options?.omitReply !== true) return false;
  return options.omitReplyOver === undefined || utf8ByteLength(reply) > options.omitReplyOver;
}

/** The `ask` update's result: a {@link TurnReply}, without `reply` and `structured` when {@link AskOptions.omitReply}
 * asked for that. */
export type AskAnswer = Omit<TurnReply, 'reply' | 'structured'> & Partial<Pick<TurnReply, 'reply' | 'structured'>>;
