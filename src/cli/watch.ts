/**
 * `convo watch`: follows a conversation and prints, in order, its turns starting, the text the model writes as it
 * writes it (and its thinking when asked), tool calls and their results, replies, failures and waits, with a spinner
 * on the running turn when the terminal allows one.
 */
import { DateTime } from 'luxon';
import ora, { type Ora } from 'ora';
import { ConvoError, type ConvoClient } from '../client/client.js';
import { TurnFollower } from '../client/follow.js';
import type { PendingToolCall } from '../common/approvals.js';
import type { ConversationState } from '../common/conversation.js';
import type { FollowEvent } from '../common/turn-events.js';
import { excerpt, firstLines } from '../common/text.js';
import { activityLine, formatElapsed } from './format/activity.js';
import { decideCommands, decisionLine, waitingText } from './format/approvals.js';
import { denialLine } from './format/denials.js';
import { followNoteLine, StreamWriter, toolCallLine, toolResultLine } from './format/live.js';
import { turnChangeLines } from './format/workspace.js';
import { canSpin } from './spinner.js';

/** Options for {@link watch}. */
export interface WatchOptions {
  /** Return once no turn is running, queued or waiting. */
  untilIdle?: boolean;
  /** How often to look, ms; default 250. */
  intervalMs?: number;
  /** Print the model's thinking too. */
  thinking?: boolean;
  /** Where output goes; default stdout (and then a spinner when the terminal allows one). */
  write?: (text: string) => void;
}

/**
 * Follows a conversation: prints a line when a turn is queued, starts, calls a tool (and what the tool returned),
 * replies (with the calls the CLI refused and the files it changed) or fails, when a tool call starts waiting for a
 * person and when it is decided, and when the conversation waits for a usage limit or for attention (a spent budget
 * among them), or closes; and the model's text as it is written (about a second after the CLI printed it; see
 * `ConvoClient.follow`). Each line starts with the time. Returns when the conversation closes (or, with
 * `untilIdle`, goes idle).
 * @throws ConvoError `NotFound` for an unknown conversation.
 */
export async function watch(client: ConvoClient, id: string, options: WatchOptions = {}): Promise<void> {
  const intervalMs = options.intervalMs ?? 250;
  const spinner: Ora | undefined = canSpin() && !options.write ? ora({ discardStdin: false }) : undefined;
  const writer = new StreamWriter((text) => {
    // The spinner is drawn on the line the cursor is on: it goes before anything is written.
    if (spinner?.isSpinning) spinner.stop();
    (options.write ?? ((t: string) => process.stdout.write(t)))(text);
  });
  const time = (): string => DateTime.now().toFormat('HH:mm:ss');
  const out = (line: string): void => writer.line(`${time()} ${line}`);
  const follower = new TurnFollower();
  const queued = new Set<number>();
  // Decisions record only the call's id: the calls seen waiting name them.
  const waited = new Map<string, PendingToolCall>();
  const decisions = new Map<number, number>();
  /** The text of the current message shown so far (to leave out a reply that was shown in full). */
  let shown = '';
  let lastStatus: string | undefined;
  let noWorker = false;
  let first = true;

  const print = (event: FollowEvent, state: ConversationState): void => {
    const n = event.cursor.turn + 1;
    switch (event.type) {
      case 'turn_started':
        shown = '';
        return out(`turn ${n} running: ${excerpt(event.prompt)}`);
      case 'text':
        shown += event.text;
        return writer.text(event.text, 'text', () => `${time()}   `);
      case 'thinking':
        if (options.thinking) writer.text(event.text, 'thinking', () => `${time()}   ~ `);
        return;
      case 'tool_call':
        shown = '';
        return out(`  ${toolCallLine(event)}`);
      case 'tool_result':
        shown = '';
        return out(`  ${toolResultLine(event)}`);
      case 'gap':
      case 'run_started': {
        if (event.type === 'run_started' && event.restart) shown = '';
        const note = followNoteLine(event);
        return note ? out(`  ${note}`) : undefined;
      }
      case 'turn_completed': {
        const turn = state.turns[event.cursor.turn];
        const took = event.durationMs !== undefined ? ` in ${formatElapsed(event.durationMs)}` : '';
        // The reply was just shown as it was written: it is not printed again.
        const whole = shown.trim() === event.reply.trim();
        out(`turn ${n} replied${took}${whole ? '' : `:\n${firstLines(event.reply, 5).replace(/^/gm, '    ')}`}`);
        for (const denial of turn?.denials ?? []) out(`  ${denialLine(denial)}`);
        if (turn?.workspace?.files.length) out(turnChangeLines(turn.workspace, state.repo ? 'repo' : 'cwd'));
        return;
      }
      case 'turn_failed':
        return out(`turn ${n} failed: ${event.error.type}: ${event.error.message}`);
    }
  };

  try {
    for (;;) {
      let snap: Awaited<ReturnType<ConvoClient['snapshot']>>;
      try {
        snap = await client.snapshot(id);
        noWorker = false;
      } catch (err) {
        if (err instanceof ConvoError && err.code === 'NoWorker') {
          if (!noWorker) out(`no worker answers for ${id}; still watching`);
          noWorker = true;
          continue;
        }
        throw err;
      }
      const { state, activity } = snap;
      if (first) {
        out(
          `watching ${id}: ${state.status}, ${state.turns.length} turn${state.turns.length === 1 ? '' : 's'}${state.title ? ` (${state.title})` : ''}`,
        );
        for (const t of state.turns) {
          queued.add(t.index);
          decisions.set(t.index, t.decisions?.length ?? 0);
        }
        first = false;
      }
      for (const t of state.turns) {
        if (t.status === 'queued' && !queued.has(t.index)) out(`turn ${t.index + 1} queued: ${excerpt(t.prompt)}`);
        queued.add(t.index);
      }
      const events = follower.step({ state, progress: activity?.progress, lastFailure: activity?.lastFailure });
      for (const event of events) print(event, state);
      for (const t of state.turns) {
        for (const d of t.decisions?.slice(decisions.get(t.index) ?? 0) ?? []) {
          out(`  ${decisionLine(d, waited.get(d.toolUseId))}`);
        }
        decisions.set(t.index, t.decisions?.length ?? 0);
      }
      const pending = state.status === 'needs_approval' ? state.pending : undefined;
      if (pending && !waited.has(pending.toolUseId)) {
        waited.set(pending.toolUseId, pending);
        out(`  ${waitingText(pending, 200)} — ${decideCommands(id, pending)}`);
      }
      if (state.status !== lastStatus) {
        if (state.status === 'rate_limited' || state.status === 'needs_attention') out(activityLine(state, activity));
        else if (state.status === 'closed') out('closed');
        lastStatus = state.status;
      }
      if (spinner) {
        // Not while a line of text is open: the spinner would be drawn over it.
        if (activity !== undefined && writer.atLineStart) {
          spinner.text = activityLine(state, activity);
          if (!spinner.isSpinning) spinner.start();
        } else if (spinner.isSpinning) spinner.stop();
      }
      if (state.status === 'closed') break;
      if (
        options.untilIdle &&
        state.status === 'idle' &&
        !state.turns.some((t) => t.status === 'queued' || t.status === 'running')
      )
        break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    // (ora's stop() moves the cursor to the line's start even when it is not spinning.)
    if (spinner?.isSpinning) spinner.stop();
  }
  writer.endLine();
}
