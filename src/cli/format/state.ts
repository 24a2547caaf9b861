/**
 * The `convo show` text: status, where turns run (cwd, or repo, branch and head), cost, turns (with the calls the CLI
 * refused, the decisions people made, and each turn's commit and files changed), and what to do when the conversation
 * needs attention or a tool call waits for approval.
 */
import type { ConversationState } from '../../common/conversation.js';
import { decisionLine, pendingLines } from './approvals.js';
import { costLine, denialLine, formatUsd } from './denials.js';
import { turnChangeText, whereText } from './workspace.js';

/** What to run when the conversation needs attention, by the attention's type. */
function attentionHelp(state: ConversationState): string {
  if (state.attention?.type === 'BudgetExceeded') {
    const budget = state.options?.maxCostUsd;
    const raise = budget !== undefined ? ` (now ${formatUsd(budget)})` : '';
    return `  raise the budget${raise} with \`convo configure ${state.id} --max-cost-usd N\` (or \`convo skip ${state.id}\` to fail the turn)`;
  }
  return `  fix it, then \`convo resume ${state.id}\` (or \`convo skip ${state.id}\` to fail the turn)`;
}

/** The `convo show` text of a conversation's state: one header line, details, then a line or more per turn. */
export function formatState(state: ConversationState, now = new Date()): string {
  const lines = [
    `${state.id}  ${state.status}${state.closing && state.status !== 'closed' ? ' (closing)' : ''}`,
    `  backend ${state.backend}, session ${state.sessionId}, ${whereText(state)}`,
    `  transcript ${state.transcriptBytes} bytes, ${state.turns.length} turns`,
    `  ${costLine(state)}`,
  ];
  if (state.title) lines.splice(1, 0, `  title ${state.title}`);
  const revision = state.configurations?.at(-1)?.revision;
  if (revision !== undefined) lines.push(`  options revision ${revision} (convo configure)`);
  if (state.rateLimitedUntil)
    lines.push(
      `  usage limit of account ${state.account} until ${state.rateLimitedUntil}: ${state.rateLimitMessage ?? ''}`,
    );
  if (state.attention) {
    lines.push(`  needs attention: ${state.attention.type}: ${state.attention.message}`);
    lines.push(attentionHelp(state));
  }
  if (state.status === 'needs_approval' && state.pending) lines.push(...pendingLines(state.id, state.pending, now));
  for (const turn of state.turns) {
    const what = turn.kind === 'compact' ? '(compaction)' : turn.prompt.split('\n')[0];
    lines.push(`  turn ${turn.index + 1} ${turn.status}: ${what}`);
    // Decisions came before the reply: the turn went on after each.
    for (const decision of turn.decisions ?? []) {
      const call = [turn.pending, state.pending].find((p) => p?.toolUseId === decision.toolUseId);
      lines.push(`      ${decisionLine(decision, call, now)}`);
    }
    if (turn.reply) lines.push(`      → ${turn.reply.split('\n')[0]}`);
    for (const denial of turn.denials ?? []) lines.push(`      ${denialLine(denial)}`);
    if (turn.error) lines.push(`      ✗ ${turn.error.type}: ${turn.error.message}`);
    if (turn.workspace) lines.push(`      ${turnChangeText(turn.workspace, state.repo ? 'repo' : 'cwd')}`);
  }
  return lines.join('\n');
}
