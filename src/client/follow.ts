/**
 * Following a conversation's turns live (`ConvoClient.follow`): the turn events of `../common/turn-events.ts`, in
 * order, across turns, from the `state` query (turns starting and ending, replies) and the workflow's description
 * (the running turn activity's heartbeat details: its latest live events).
 *
 * {@link TurnFollower} is the pure part: given what was read, the events not yet given. {@link followConversation}
 * polls and yields them.
 */
import type { ConversationState, TurnProgress, TurnRecord } from '../common/conversation.js';
import type { FollowEvent, LiveEvent, TurnCursor } from '../common/turn-events.js';

/** Options of `ConvoClient.follow`. */
export interface FollowOptions {
  /**
   * Go on after this event (the cursor of the last event a previous follower gave): nothing is repeated, nothing lost
   * while the heartbeat window still holds the next live event (else a `gap` event says how many were missed).
   * Default: from the turn being worked on (its events the window still holds), or the next turn to start.
   */
  after?: TurnCursor;
  /** How often to read, ms; default 250. */
  intervalMs?: number;
  /** Stops following (the iterator returns). */
  signal?: AbortSignal;
}

/** What a follower reads each time: the conversation's state and the running turn activity (if any). */
export interface FollowRead {
  state: ConversationState;
  /** The turn activity's heartbeat details (the latest that reached the server). */
  progress?: TurnProgress;
  /** Why the activity's last attempt failed, when it is being retried. */
  lastFailure?: string;
}

/** What the follower knows of the text of the assistant's current message (for the reply's end). */
interface TextSeen {
  /** Characters of the message before `known` (a resumed follower did not see them); -1 when unknown. */
  start: number;
  /** The text this follower saw. */
  known: string;
}

/**
 * Turns successive reads into the events not yet given, in order: per turn, `turn_started`, its runs' live events
 * (with `run_started` when another run or attempt begins, and `gap` for events the window no longer holds), the
 * reply's end that no live event showed (`text` with `fromReply`), then `turn_completed` or `turn_failed`. Turns are
 * followed in index order (a compaction turn appended after queued turns is given after them).
 */
export class TurnFollower {
  private pos: TurnCursor | undefined;
  private text: TextSeen = { start: 0, known: '' };

  constructor(after?: TurnCursor) {
    if (after) {
      this.pos = after;
      this.text = { start: after.part === 'live' ? (after.chars ?? -1) : 0, known: '' };
    }
  }

  /** The cursor of the last event given (or where following started); undefined before the first read. */
  get cursor(): TurnCursor | undefined {
    return this.pos;
  }

  /** True once the conversation is closed and every turn of it was followed to its end. */
  done(state: ConversationState): boolean {
    return (
      state.status === 'closed' &&
      this.pos?.part === 'end' &&
      !state.turns.some((t) => t.index > this.pos!.turn && t.status !== 'queued')
    );
  }

  /** The events `read` shows that were not given yet, in order. */
  step(read: FollowRead): FollowEvent[] {
    const { state } = read;
    const out: FollowEvent[] = [];
    this.pos ??= { turn: firstOpenTurn(state) - 1, part: 'end' };
    for (;;) {
      const pos: TurnCursor = this.pos;
      if (pos.part === 'end') {
        const next = state.turns[pos.turn + 1];
        if (!next || next.status === 'queued') break;
        this.text = { start: 0, known: '' };
        this.give(out, { type: 'turn_started', prompt: next.prompt }, { turn: next.index, part: 'start' });
        continue;
      }
      const turn = state.turns[pos.turn];
      if (!turn) break;
      const { progress } = read;
      if (progress?.turnIndex === turn.index && pos.part !== 'tail') this.live(out, progress, read.lastFailure);
      if (turn.status !== 'completed' && turn.status !== 'failed') break;
      this.end(out, turn);
    }
    return out;
  }

  /** The live events of `progress` after the cursor. */
  private live(out: FollowEvent[], progress: TurnProgress, lastFailure: string | undefined): void {
    const pos = this.pos!;
    const run = progress.activityId ?? '';
    const attempt = progress.attempt ?? 1;
    let expected = 0;
    if (pos.part === 'live' && pos.run === run && pos.attempt === attempt) expected = (pos.seq ?? -1) + 1;
    else if (pos.part === 'live') {
      // A retry (same run), or a turn run again that does not go on from the previous run, starts over.
      const restart = pos.run === run || !progress.continued;
      if (restart) this.text = { start: 0, known: '' };
      this.give(
        out,
        { type: 'run_started', attempt, restart, ...(lastFailure && { lastFailure }) },
        this.at(run, attempt, -1),
      );
    } else this.pos = this.at(run, attempt, -1);
    const events = (progress.live ?? []).filter((e) => e.seq >= expected);
    const first = events[0];
    if (first && first.seq > expected) {
      this.text = { start: -1, known: '' };
      this.give(out, { type: 'gap', missed: first.seq - expected }, this.at(run, attempt, first.seq - 1));
    }
    for (const event of events) {
      const { seq, ...item } = event;
      this.see(event);
      this.give(out, item, this.at(run, attempt, seq));
    }
  }

  /** The end of `turn`: the reply's end no text event showed, then the turn's outcome. */
  private end(out: FollowEvent[], turn: TurnRecord): void {
    if (turn.status === 'failed') {
      const error = turn.error ?? { type: 'Unknown' as const, message: 'the turn failed' };
      this.give(out, { type: 'turn_failed', error }, { turn: turn.index, part: 'end' });
      return;
    }
    const reply = turn.reply ?? '';
    const rest = this.pos!.part === 'tail' ? undefined : this.restOf(reply);
    if (rest) this.give(out, { type: 'text', text: rest, fromReply: true }, { turn: turn.index, part: 'tail' });
    this.give(
      out,
      {
        type: 'turn_completed',
        reply,
        ...(turn.structured !== undefined && { structured: turn.structured }),
        ...(turn.costUsd !== undefined && { costUsd: turn.costUsd }),
        ...(turn.durationMs !== undefined && { durationMs: turn.durationMs }),
      },
      { turn: turn.index, part: 'end' },
    );
  }

  /** The part of `reply` after the text seen of the current message, when what was seen is its start. */
  private restOf(reply: string): string | undefined {
    const { start, known } = this.text;
    if (start < 0 || reply.slice(start, start + known.length) !== known) return undefined;
    return reply.slice(start + known.length);
  }

  private see(event: LiveEvent): void {
    if (event.type === 'text') this.text.known += event.text;
    else if (event.type === 'tool_call' || event.type === 'tool_result') this.text = { start: 0, known: '' };
  }

  /** A live cursor of the current turn. */
  private at(run: string, attempt: number, seq: number): TurnCursor {
    const { start, known } = this.text;
    return { turn: this.pos!.turn, part: 'live', run, attempt, seq, chars: start < 0 ? -1 : start + known.length };
  }

  private give(out: FollowEvent[], event: DistributiveOmit<FollowEvent, 'cursor'>, cursor: TurnCursor): void {
    this.pos = cursor;
    out.push({ ...event, cursor });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Index of the first turn not ended (running, waiting or queued); the next turn's index when there is none. */
function firstOpenTurn(state: ConversationState): number {
  const open = state.turns.find((t) => t.status !== 'completed' && t.status !== 'failed');
  return open?.index ?? state.turns.length;
}

/**
 * Polls `read` every `options.intervalMs` and yields the events {@link TurnFollower} finds, until `options.signal`
 * aborts or the conversation is closed and followed to its end.
 * @param read reads the state and the turn activity; a read that throws ends the iteration with that error, except
 *   that `retry(err)` true makes it try again at the next interval.
 */
export async function* followConversation(
  read: () => Promise<FollowRead>,
  options: FollowOptions = {},
  retry: (err: unknown) => boolean = () => false,
): AsyncGenerator<FollowEvent, void, undefined> {
  const follower = new TurnFollower(options.after);
  const intervalMs = options.intervalMs ?? 250;
  const { signal } = options;
  while (!signal?.aborted) {
    let got: FollowRead | undefined;
    try {
      got = await read();
    } catch (err) {
      if (!retry(err)) throw err;
    }
    if (got) {
      if (signal?.aborted) return;
      yield* follower.step(got);
      if (follower.done(got.state)) return;
    }
    await sleep(intervalMs, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
