/**
 * `convo watch`: follows a conversation and prints a line per event, with a spinner on the running turn when the
 * terminal allows one.
 */
import { DateTime } from 'luxon';
import ora, { type Ora } from 'ora';
import { ConvoError, type ConvoClient } from '../client/client.js';
import type { PendingToolCall } from '../common/approvals.js';
import { excerpt, firstLines } from '../common/text.js';
import { activityLine, formatElapsed } from './format/activity.js';
import { decideCommands, decisionLine, waitingText } from './format/approvals.js';
import { denialLine } from './format/denials.js';
import { turnChangeLines } from './format/workspace.js';
import { canSpin } from './spinner.js';

/** Options for {@link watch}. */
export interface WatchOptions {
  /** Return once no turn is running, queued or waiting. */
  untilIdle?: boolean;
  /** How often to look, ms. */
  intervalMs?: number;
  /** Where lines go; default stdout. */
  print?: (line: string) => void;
}

/**
 * Follows a conversation: prints a line when a turn starts, calls a tool, replies (with the calls the CLI refused and
 * the files it changed) or fails, when a tool call starts waiting for a person and when it is decided, and when the
 * conversation waits for a usage limit or for attention (a spent budget among them), or closes. Returns when it closes
 * (or, with `untilIdle`, goes idle).
 * @throws ConvoError `NotFound` for an unknown conversation.
 */
export async function watch(client: ConvoClient, id: string, options: WatchOptions = {}): Promise<void> {
  const intervalMs = options.intervalMs ?? 500;
  const spinner: Ora | undefined = canSpin() && !options.print ? ora({ discardStdin: false }) : undefined;
  const out = (line: string): void => {
    const text = `${DateTime.now().toFormat('HH:mm:ss')} ${line}`;
    if (spinner?.isSpinning) {
      spinner.clear();
      console.log(text);
      spinner.render();
    } else (options.print ?? console.log)(text);
  };
  const turnStatus = new Map<number, string>();
  const toolCalls = new Map<number, number>();
  // Decisions record only the call's id: the calls seen waiting name them.
  const waited = new Map<string, PendingToolCall>();
  const decisions = new Map<number, number>();
  let lastStatus: string | undefined;
  let noWorker = false;
  let first = true;
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
          if (t.status !== 'running') turnStatus.set(t.index, t.status);
          decisions.set(t.index, t.decisions?.length ?? 0);
        }
        first = false;
      }
      for (const t of state.turns) {
        const before = turnStatus.get(t.index);
        if (before === t.status) continue;
        turnStatus.set(t.index, t.status);
        if (t.status === 'queued' && before === undefined) out(`turn ${t.index + 1} queued: ${excerpt(t.prompt)}`);
        else if (t.status === 'running') out(`turn ${t.index + 1} running: ${excerpt(t.prompt)}`);
        else if (t.status === 'completed') {
          const took = t.durationMs !== undefined ? ` in ${formatElapsed(t.durationMs)}` : '';
          out(`turn ${t.index + 1} replied${took}:\n${firstLines(t.reply ?? '', 5).replace(/^/gm, '    ')}`);
          for (const denial of t.denials ?? []) out(`  ${denialLine(denial)}`);
          if (t.workspace?.files.length) out(turnChangeLines(t.workspace, state.repo ? 'repo' : 'cwd'));
        } else if (t.status === 'failed' && t.error)
          out(`turn ${t.index + 1} failed: ${t.error.type}: ${t.error.message}`);
      }
      const calls = activity?.progress?.toolCalls ?? 0;
      if (activity && calls > (toolCalls.get(activity.index) ?? 0)) {
        const p = activity.progress!;
        const more = calls - (toolCalls.get(activity.index) ?? 0) - 1;
        out(
          `  → ${p.lastTool}${p.lastToolInput ? `: ${p.lastToolInput}` : ''}${more > 0 ? ` (after ${more} more)` : ''}`,
        );
        toolCalls.set(activity.index, calls);
      }
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
        const busy = activity !== undefined;
        if (busy) {
          spinner.text = activityLine(state, activity);
          if (!spinner.isSpinning) spinner.start();
        } else if (spinner.isSpinning) spinner.stop();
      }
      if (state.status === 'closed') return;
      if (
        options.untilIdle &&
        state.status === 'idle' &&
        !state.turns.some((t) => t.status === 'queued' || t.status === 'running')
      )
        return;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    spinner?.stop();
  }
}
