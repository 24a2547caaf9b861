/**
 * One-line descriptions of what a conversation is doing, for the spinner and `convo watch`.
 */
import { Duration } from 'luxon';
import type { TurnActivity } from '../../client/client.js';
import type { ConversationState } from '../../common/conversation.js';
import { excerpt, utcTime } from '../../common/text.js';
import { decideCommands, waitingText } from './approvals.js';
import { costLine } from './denials.js';

/** `1m 05s`, `12s`: elapsed time for people. `ms` in milliseconds. */
export function formatElapsed(ms: number): string {
  const d = Duration.fromMillis(Math.max(0, ms)).shiftTo('hours', 'minutes', 'seconds');
  if (d.hours > 0) return d.toFormat("h'h' mm'm'");
  if (d.minutes > 0) return d.toFormat("m'm' ss's'");
  return `${Math.floor(d.seconds)}s`;
}

/**
 * One line on the turn being worked on: `turn 3 · 12s · Bash: ls -la`, or what it waits for (a usage limit's reset, a
 * person: for credentials, billing, a budget that is spent, or a decision on a tool call or a question).
 */
export function activityLine(state: ConversationState, activity: TurnActivity | undefined, now = new Date()): string {
  if (state.status === 'rate_limited' && state.rateLimitedUntil) {
    return `usage limit: waiting until ${utcTime(state.rateLimitedUntil, now)} (${state.rateLimitMessage ?? 'rate limited'})`;
  }
  if (state.status === 'needs_attention' && state.attention?.type === 'BudgetExceeded') {
    return `budget spent: waiting for a person (${costLine(state)}; convo configure ${state.id} --max-cost-usd N, or convo skip ${state.id})`;
  }
  if (state.status === 'needs_attention' && state.attention) {
    return `needs attention: ${state.attention.type}: ${state.attention.message} (convo resume ${state.id})`;
  }
  if (state.status === 'needs_approval' && state.pending) {
    return `${waitingText(state.pending, 60)} (${decideCommands(state.id, state.pending, false)})`;
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
  if ((activity.attempt ?? 1) > 1)
    parts.push(
      `attempt ${activity.attempt}${activity.lastFailure ? ` after: ${excerpt(activity.lastFailure, 60)}` : ''}`,
    );
  return parts.join(' · ');
}
