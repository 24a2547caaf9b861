/**
 * What `convo` shows in a terminal: a spinner with live turn progress (ora), the `watch` event stream, and the
 * `list` table (cli-table3). Spinners run only when stdout is a TTY; piped output gets plain lines.
 */
import Table from 'cli-table3';
import isInteractive from 'is-interactive';
import { DateTime, Duration } from 'luxon';
import ora, { type Ora } from 'ora';
import type { ConversationState } from '../common/conversation.js';
import { excerpt, firstLines, utcTime } from '../common/text.js';
import { ConvoError, type ConversationSummary, type ConvoClient, type TurnActivity } from './client.js';

/**
 * True when a spinner can be drawn: stdout and stderr (where ora draws) are both interactive terminals by the rule
 * ora itself applies (`is-interactive`: a TTY, `TERM` not `dumb`, no `CI` variable), and stderr has a known width
 * (a pseudo-terminal of width 0 would make ora clear endlessly). Otherwise output is plain lines: ora, disabled,
 * would print its first text once and never update it.
 */
export function canSpin(): boolean {
  return isInteractive({ stream: process.stdout }) && isInteractive({ stream: process.stderr }) && (process.stderr.columns ?? 0) > 0;
}

/** `1m 05s`, `12s`: elapsed time for people. `ms` in milliseconds. */
export function formatElapsed(ms: number): string {
  const d = Duration.fromMillis(Math.max(0, ms)).shiftTo('hours', 'minutes', 'seconds');
  if (d.hours > 0) return d.toFormat("h'h' mm'm'");
  if (d.minutes > 0) return d.toFormat("m'm' ss's'");
  return `${Math.floor(d.seconds)}s`;
}

/** One line on the turn being worked on: `turn 3 · 12s · Bash: ls -la`, or what it waits for. */
export function activityLine(state: ConversationState, activity: TurnActivity | undefined, now = new Date()): string {
  if (state.status === 'rate_limited' && state.rateLimitedUntil) {
    return `usage limit: waiting until ${utcTime(state.rateLimitedUntil, now)} (${state.rateLimitMessage ?? 'rate limited'})`;
  }
  if (state.status === 'needs_attention' && state.attention) {
    return `needs attention: ${state.attention.type}: ${state.attention.message} (convo resume ${state.id})`;
  }
  if (!activity) return state.status;
  const parts = [`turn ${activity.index + 1}`];
  if (activity.phase === 'waiting') parts.push('waiting for a worker');
  const p = activity.progress;
  if (p) {
    parts.push(formatElapsed(p.elapsedMs));
    if (p.lastTool) parts.push(`${p.lastTool}${p.lastToolInput ? `: ${excerpt(p.lastToolInput, 60)}` : ''}`);
    else parts.push(`${p.events} events`);
  }
  if ((activity.attempt ?? 1) > 1) parts.push(`attempt ${activity.attempt}${activity.lastFailure ? ` after: ${excerpt(activity.lastFailure, 60)}` : ''}`);
  return parts.join(' · ');
}

/**
 * Shows a spinner with the turn's live progress until `work` settles (only when stdout is a TTY), and returns
 * `work`'s result. Progress is read every `intervalMs` (default 500 ms) with {@link ConvoClient.snapshot}.
 */
export async function withProgress<T>(client: ConvoClient, id: string, work: Promise<T>, intervalMs = 500): Promise<T> {
  if (!canSpin()) return work;
  const spinner = ora({ text: 'queued', discardStdin: false }).start();
  const started = Date.now();
  let done = false;
  const poll = (async () => {
    while (!done) {
      const snap = await client.snapshot(id).catch(() => undefined);
      if (done) break;
      if (snap) spinner.text = snap.activity || snap.state.status !== 'idle' ? activityLine(snap.state, snap.activity) : `queued · ${formatElapsed(Date.now() - started)}`;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    spinner.stop();
    await poll;
  }
}

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
 * Follows a conversation: prints a line when a turn starts, calls a tool, replies or fails, and when the
 * conversation waits for a usage limit or for attention, or closes. Returns when it closes (or, with `untilIdle`,
 * goes idle).
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
        out(`watching ${id}: ${state.status}, ${state.turns.length} turn${state.turns.length === 1 ? '' : 's'}${state.title ? ` (${state.title})` : ''}`);
        for (const t of state.turns) if (t.status !== 'running') turnStatus.set(t.index, t.status);
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
        } else if (t.status === 'failed' && t.error) out(`turn ${t.index + 1} failed: ${t.error.type}: ${t.error.message}`);
      }
      const calls = activity?.progress?.toolCalls ?? 0;
      if (activity && calls > (toolCalls.get(activity.index) ?? 0)) {
        const p = activity.progress!;
        const more = calls - (toolCalls.get(activity.index) ?? 0) - 1;
        out(`  → ${p.lastTool}${p.lastToolInput ? `: ${p.lastToolInput}` : ''}${more > 0 ? ` (after ${more} more)` : ''}`);
        toolCalls.set(activity.index, calls);
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
      if (options.untilIdle && state.status === 'idle' && !state.turns.some((t) => t.status === 'queued' || t.status === 'running')) return;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    spinner?.stop();
  }
}

/** The `convo list` table: id, status, turns, title, started (local time), reset time while rate-limited. */
export function formatList(rows: ConversationSummary[]): string {
  const table = new Table({
    head: ['ID', 'STATUS', 'TURNS', 'TITLE', 'STARTED'],
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) {
    const status = r.rateLimitedUntil ? `${r.status} until ${utcTime(r.rateLimitedUntil, new Date())}` : r.status;
    const title = r.titleUnreadable ? '(encrypted: no key)' : excerpt(r.title ?? '', 40);
    table.push([r.id, status, r.turns ?? '-', title, DateTime.fromISO(r.startedAt).toFormat('yyyy-MM-dd HH:mm')]);
  }
  return table.toString();
}
