/**
 * `convo ask` while its turn is in flight: the spinner on a terminal, and what it does when the turn waits for a
 * person (a tool call to approve, a question to answer, attention such as a 401), so that it never hangs silently.
 * The wait is seen by polling the conversation's state while the `ask` update is in flight.
 *
 * - On a terminal (see {@link canSpin}) the turn's text is printed as the model writes it (./ask-live.ts), the spinner
 *   showing the turn's progress whenever no line of text is open.
 * - On a terminal (a person is there: see {@link canSpin}, and stdin is a terminal too), the spinner stops, the call
 *   is shown and the person decides right there (./ask-person.ts); then it goes on waiting for the reply. Attention
 *   is shown once, with what ends it, and the spinner names it until then.
 * - Off a terminal it prints ONE line on stderr naming the wait and the command that ends it, and returns the exit
 *   status: {@link EXIT_WAITS_FOR_DECISION} or {@link EXIT_NEEDS_ATTENTION}. The turn keeps waiting.
 * - With `wait`, it waits for the reply whatever happens, printing nothing more.
 */
import ora, { type Ora } from 'ora';
import type { ConvoClient, TurnActivity } from '../client/client.js';
import type { ConversationState, TurnReply } from '../common/conversation.js';
import { AskLive } from './ask-live.js';
import { askPerson } from './ask-person.js';
import { activityLine, formatElapsed } from './format/activity.js';
import { waitLine } from './format/approvals.js';
import { canSpin } from './spinner.js';

/** `convo ask`'s exit status when a tool call waits for approval or a question for an answer. */
export const EXIT_WAITS_FOR_DECISION = 3;
/** `convo ask`'s exit status when the turn needs attention (credentials, billing, a spent budget). */
export const EXIT_NEEDS_ATTENTION = 4;

/**
 * What `convo ask` ends with: the reply (with, on a terminal, the live printer that showed its text: it prints the
 * rest), or (off a terminal) the wait it left and its exit status.
 */
export type AskOutcome = { reply: TurnReply; live?: AskLive } | { waiting: string; exitCode: number };

/** Options for {@link askAndFollow}. */
export interface AskFollowOptions {
  /** Wait for the reply even when the turn waits for a person (`convo ask --wait`). */
  wait?: boolean;
  /** How often the state is read, ms (default 250 on a terminal, for the live text; else 500). */
  intervalMs?: number;
}

/** A wait for a person the conversation is in, keyed so that each is acted on once. */
interface PersonWait {
  key: string;
  line: string;
  exitCode: number;
  state: ConversationState;
}

/** The wait for a person `state` is in (a pending call or question, or attention), if any. */
export function personWait(state: ConversationState): PersonWait | undefined {
  const line = waitLine(state);
  if (!line) return undefined;
  if (state.status === 'needs_approval' && state.pending) {
    return { key: `call ${state.pending.toolUseId}`, line, exitCode: EXIT_WAITS_FOR_DECISION, state };
  }
  const turn = state.turns.find((t) => t.status === 'queued')?.index;
  return { key: `attention ${turn} ${line}`, line, exitCode: EXIT_NEEDS_ATTENTION, state };
}

/**
 * Sends `prompt` as an `ask` and follows it (see the module's comment).
 * @throws what {@link ConvoClient.ask} throws (TurnFailedError when the turn fails, e.g. after `convo skip`).
 */
export async function askAndFollow(
  client: ConvoClient,
  id: string,
  prompt: string,
  options: AskFollowOptions = {},
): Promise<AskOutcome> {
  const terminal = canSpin();
  const intervalMs = options.intervalMs ?? (terminal ? 250 : 500);
  const person = terminal && process.stdin.isTTY === true;
  // The live text needs the turn's index: the turn is the first from the conversation's current count with this prompt.
  const before = terminal ? await client.state(id, 2_000).catch(() => undefined) : undefined;
  const settled = client.ask(id, prompt).then(
    (reply) => ({ reply }),
    (error: unknown) => ({ error }),
  );
  const spinner: Ora | undefined = terminal ? ora({ text: 'queued', discardStdin: false }).start() : undefined;
  const live =
    before &&
    new AskLive(
      before.turns.length,
      prompt,
      (text) => {
        // The spinner is drawn on the cursor's line: it goes before text is written.
        if (spinner?.isSpinning) spinner.stop();
        process.stdout.write(text);
      },
      (line) => console.error(line),
    );
  const started = Date.now();
  const handled = new Set<string>();
  try {
    for (;;) {
      const done = await Promise.race([
        settled,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), intervalMs)),
      ]);
      if (done && 'error' in done) throw done.error;
      if (done) return { ...done, ...(live && { live }) };
      // Off a terminal only the state is needed (one query); the spinner also shows the turn activity's progress.
      const read: Promise<{ state: ConversationState; activity?: TurnActivity }> = spinner
        ? client.snapshot(id)
        : client.state(id, 2_000).then((state) => ({ state }));
      const snap = await read.catch(() => undefined);
      if (!snap) continue;
      live?.see({ state: snap.state, progress: snap.activity?.progress, lastFailure: snap.activity?.lastFailure });
      if (spinner) {
        spinner.text =
          snap.activity || snap.state.status !== 'idle'
            ? activityLine(snap.state, snap.activity)
            : `queued · ${formatElapsed(Date.now() - started)}`;
        // Not over an open line of text.
        // (ora's stop() moves the cursor to the line's start even when it is not spinning.)
        if (live && !live.atLineStart) {
          if (spinner.isSpinning) spinner.stop();
        } else if (!spinner.isSpinning) spinner.start();
      }
      const wait = personWait(snap.state);
      if (!wait || options.wait || handled.has(wait.key)) continue;
      handled.add(wait.key);
      live?.breakLine();
      if (!person) {
        if (spinner?.isSpinning) spinner.stop();
        return { waiting: wait.line, exitCode: wait.exitCode };
      }
      const call = wait.state.pending;
      if (wait.exitCode === EXIT_NEEDS_ATTENTION || !call) {
        spinner?.clear();
        console.error(wait.line);
        continue;
      }
      spinner?.stop();
      const outcome = await askPerson(client, id, call, async () => {
        const now = await client.state(id, 2_000);
        return now.status === 'needs_approval' && now.pending?.toolUseId === call.toolUseId;
      });
      if (outcome === 'interrupted') return { waiting: wait.line, exitCode: wait.exitCode };
      if (outcome === 'elsewhere') handled.delete(wait.key);
      spinner?.start();
    }
  } finally {
    if (spinner?.isSpinning) spinner.stop();
  }
}
