/**
 * The follower behind `ConvoClient.follow`: from successive reads (the state, the turn activity's heartbeat details)
 * it gives every turn event once, in order, and a follower started from any event's cursor gives exactly the events
 * after it: no repeat, no loss, a `gap` for what the window no longer holds, `run_started` for a retried attempt.
 */
import { TurnFollower, type FollowRead } from '../../src/client/follow.js';
import type { ConversationState, TurnProgress, TurnRecord } from '../../src/common/conversation.js';
import type { FollowEvent, LiveEvent } from '../../src/common/turn-events.js';

function state(turns: Array<Partial<TurnRecord>>, status: ConversationState['status'] = 'running'): ConversationState {
  return {
    id: 'c',
    status,
    turns: turns.map((t, index) => ({ index, prompt: `p${index}`, status: 'queued', queuedAt: '', ...t })),
  } as ConversationState;
}

const text = (seq: number, t: string): LiveEvent => ({ type: 'text', text: t, seq });
function progress(turnIndex: number, live: LiveEvent[], activityId = '5', attempt = 1, extra = {}): TurnProgress {
  return { events: 1, toolCalls: 0, elapsedMs: 1, turnIndex, activityId, attempt, live, ...extra };
}

/** What a reader of `follower` sees: type and text (or tool) of each event. */
const brief = (events: FollowEvent[]): string[] =>
  events.map((e) =>
    e.type === 'text'
      ? `text:${e.text}${e.fromReply ? ' (reply)' : ''}`
      : e.type === 'tool_call'
        ? `call:${e.tool}`
        : e.type === 'gap'
          ? `gap:${e.missed}`
          : e.type === 'run_started'
            ? `run:${e.attempt}:${e.restart}`
            : e.type === 'turn_completed'
              ? `done:${e.reply}`
              : e.type,
  );

/** A turn seen by a follower polling it, read by read. */
const reads: FollowRead[] = [
  { state: state([{ status: 'completed', reply: 'old' }], 'idle') },
  { state: state([{ status: 'completed', reply: 'old' }, { status: 'queued' }]) },
  { state: state([{ status: 'completed' }, { status: 'running' }]), progress: progress(1, [text(0, 'Let me ')]) },
  {
    state: state([{ status: 'completed' }, { status: 'running' }]),
    progress: progress(1, [
      text(0, 'Let me '),
      text(1, 'look.'),
      { type: 'tool_call', tool: 'Bash', input: 'ls', seq: 2 },
      { type: 'tool_result', output: 'a b', seq: 3 },
      text(4, 'There '),
    ]),
  },
  // The last heartbeat did not reach the server before the turn completed: the reply's end comes from the reply.
  { state: state([{ status: 'completed' }, { status: 'completed', reply: 'There are two files.' }], 'idle') },
];

function followAll(follower: TurnFollower, from = 0): FollowEvent[] {
  return reads.slice(from).flatMap((r) => follower.step(r));
}

test('a follower gives the running turn: started, its live events once each, the rest of the reply, completed', () => {
  const events = followAll(new TurnFollower());
  expect(brief(events)).toEqual([
    'turn_started',
    'text:Let me ',
    'text:look.',
    'call:Bash',
    'tool_result',
    'text:There ',
    'text:are two files. (reply)',
    'done:There are two files.',
  ]);
  expect(events.every((e) => e.cursor.turn === 1)).toBe(true);
  expect(events[5]!.cursor).toEqual({ turn: 1, part: 'live', run: '5', attempt: 1, seq: 4, chars: 6 });
});

test('a follower started after any event gives exactly the events after it', () => {
  const all = followAll(new TurnFollower());
  for (let i = 0; i < all.length; i++) {
    // Reconnected at the read after the one that gave event i (the window still holds what followed).
    const readOfEvent = i < 2 ? 2 : i < 6 ? 3 : 4;
    const resumed = followAll(new TurnFollower(all[i]!.cursor), readOfEvent);
    expect(brief(resumed)).toEqual(brief(all.slice(i + 1)));
  }
});

test('events the window no longer holds are a gap, never skipped silently', () => {
  const follower = new TurnFollower({ turn: 1, part: 'live', run: '5', attempt: 1, seq: 0, chars: 7 });
  const events = follower.step({
    state: state([{ status: 'completed' }, { status: 'running' }]),
    progress: progress(1, [text(4, 'There ')]),
  });
  expect(brief(events)).toEqual(['gap:3', 'text:There ']);
  // After a gap the text seen is not known to be the reply's start: no reply end is made up.
  const end = follower.step({ state: state([{ status: 'completed' }, { status: 'completed', reply: 'Other.' }]) });
  expect(brief(end)).toEqual(['done:Other.']);
});

test('a retried attempt numbers its events anew: run_started, then its events from 0', () => {
  const follower = new TurnFollower();
  const running = state([{ status: 'running' }]);
  follower.step({ state: running, progress: progress(0, [text(0, 'Hel'), text(1, 'lo')]) });
  const retried = follower.step({
    state: running,
    progress: progress(0, [text(0, 'Hello again')], '5', 2),
    lastFailure: 'ServerError: 500',
  });
  expect(brief(retried)).toEqual(['run:2:true', 'text:Hello again']);
  expect(retried[0]).toMatchObject({ lastFailure: 'ServerError: 500', cursor: { attempt: 2, seq: -1 } });
  // The details of the attempt seen already give nothing more.
  expect(follower.step({ state: running, progress: progress(0, [text(0, 'Hello again')], '5', 2) })).toEqual([]);
  const done = follower.step({ state: state([{ status: 'completed', reply: 'Hello again!' }], 'idle') });
  expect(brief(done)).toEqual(['text:! (reply)', 'done:Hello again!']);
});

test('a run that continues after a decision goes on; one that reruns the turn starts over', () => {
  const follower = new TurnFollower();
  const running = state([{ status: 'running' }]);
  follower.step({ state: running, progress: progress(0, [{ type: 'tool_call', tool: 'Write', seq: 0 }]) });
  const continued = follower.step({
    state: running,
    progress: progress(0, [text(0, 'ok')], '9', 1, { continued: true }),
  });
  expect(brief(continued)).toEqual(['run:1:false', 'text:ok']);
  const rerun = follower.step({ state: running, progress: progress(0, [text(0, 'again')], '14', 1) });
  expect(brief(rerun)).toEqual(['run:1:true', 'text:again']);
});

test('heartbeat details of another turn are not this turn; a failed turn ends with turn_failed', () => {
  const follower = new TurnFollower({ turn: 0, part: 'start' });
  const s = state([{ status: 'running' }, { status: 'queued' }]);
  expect(follower.step({ state: s, progress: progress(1, [text(0, 'not mine')]) })).toEqual([]);
  const failed = follower.step({
    state: state([
      { status: 'failed', error: { type: 'Cancelled', message: 'turn cancelled' } },
      { status: 'running' },
    ]),
    progress: progress(1, [text(0, 'next')]),
  });
  expect(brief(failed)).toEqual(['turn_failed', 'turn_started', 'text:next']);
  expect(failed[0]).toMatchObject({ error: { type: 'Cancelled' }, cursor: { turn: 0, part: 'end' } });
});

test('a closed conversation followed to its end is done', () => {
  const follower = new TurnFollower({ turn: -1, part: 'end' });
  const closed = state([{ status: 'completed', reply: 'r' }], 'closed');
  expect(brief(follower.step({ state: closed }))).toEqual(['turn_started', 'text:r (reply)', 'done:r']);
  expect(follower.done(closed)).toBe(true);
});
