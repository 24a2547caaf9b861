/**
 * Tool calls that wait for a person, and the decisions made on them, as `convo show`, `convo watch`, `convo ask`, the
 * spinner and `convo approve`/`deny`/`answer` print them.
 */
import type { PendingToolCall, ToolDecision } from '../../common/approvals.js';
import type { ConversationState } from '../../common/conversation.js';
import { excerpt, utcTime } from '../../common/text.js';

/** A call for people: `Bash: echo hi > f` (its summary cut to `max` characters), or its tool alone. */
export function callText(call: Pick<PendingToolCall, 'tool' | 'summary'>, max = 100): string {
  return call.summary ? `${call.tool}: ${excerpt(call.summary, max)}` : call.tool;
}

/** What a waiting call waits for: `waiting for approval: Bash: echo hi > f`, `waiting for an answer: Which file?`. */
export function waitingText(call: PendingToolCall, max = 100): string {
  return call.kind === 'question'
    ? `waiting for an answer: ${excerpt(call.summary, max)}`
    : `waiting for approval: ${callText(call, max)}`;
}

/** The commands that end the wait: `convo approve ID [--always] or convo deny ID [--reason TEXT]`, `convo answer…`. */
export function decideCommands(id: string, call: PendingToolCall, full = true): string {
  if (call.kind === 'question') return `convo answer ${id} TEXT${full ? ` (or convo deny ${id})` : ''}`;
  return full
    ? `convo approve ${id} [--always] or convo deny ${id} [--reason TEXT]`
    : `convo approve ${id} or convo deny ${id}`;
}

/** The `convo show` lines of a waiting call: what, since when, the rule it matched, and the commands. */
export function pendingLines(id: string, call: PendingToolCall, now = new Date()): string[] {
  const rule = call.kind === 'approval' && call.rule ? `, rule ${call.rule}` : '';
  return [`  ${waitingText(call, 200)} (since ${utcTime(call.since, now)}${rule})`, `  ${decideCommands(id, call)}`];
}

/**
 * One decision: `✓ approved Bash: echo hi > f by alice@host at 12:04 UTC`, `✗ denied Bash: rm -r x by alice@host at
 * 12:05 UTC: not now`, `✓ answered Which file? by …: the big one`, `✗ denied … at 12:05 UTC (approval timeout)`.
 * @param call the decided call, when the decision does not name it (decisions recorded before they did), else it
 *   is named by its id.
 */
export function decisionLine(
  decision: ToolDecision,
  call?: Pick<PendingToolCall, 'tool' | 'summary'>,
  now = new Date(),
): string {
  const named = decision.tool !== undefined ? { tool: decision.tool, summary: decision.summary ?? '' } : call;
  const what = named ? callText(named, 80) : `call ${decision.toolUseId}`;
  const when = `at ${utcTime(decision.at, now)}`;
  if (decision.by === 'timeout') return `✗ denied ${what} ${when} (approval timeout)`;
  const who = `by ${decision.by} ${when}`;
  const text = decision.text ? `: ${excerpt(decision.text, 100)}` : '';
  if (decision.decision === 'allow') return `✓ approved ${what} ${who}`;
  if (decision.decision === 'answer') return `✓ answered ${what} ${who}${text}`;
  return `✗ denied ${what} ${who}${text}`;
}

/**
 * The one line `convo ask` prints off a terminal when its turn waits for a person, naming the wait and the command
 * that ends it: `waiting for approval: Bash: echo hi > f — convo approve ID or convo deny ID`.
 * @returns undefined when the conversation does not wait for a person.
 */
export function waitLine(state: ConversationState): string | undefined {
  if (state.status === 'needs_approval' && state.pending) {
    return `${waitingText(state.pending)} — ${decideCommands(state.id, state.pending, false)}`;
  }
  if (state.status !== 'needs_attention' || !state.attention) return undefined;
  const { type, message } = state.attention;
  const fix =
    type === 'BudgetExceeded'
      ? `convo configure ${state.id} --max-cost-usd N or convo skip ${state.id}`
      : `fix it, then convo resume ${state.id} (or convo skip ${state.id})`;
  return `needs attention: ${type}: ${excerpt(message, 200)} — ${fix}`;
}
