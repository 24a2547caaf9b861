/**
 * The `convo show` text: status, turns, and what to do when the conversation needs attention.
 */
import type { ConversationState } from '../../common/conversation.js';

/** The `convo show` text of a conversation's state: one header line, details, then a line or two per turn. */
export function formatState(state: ConversationState): string {
  const lines = [
    `${state.id}  ${state.status}${state.closing && state.status !== 'closed' ? ' (closing)' : ''}`,
    `  backend ${state.backend}, session ${state.sessionId}, cwd ${state.cwd}`,
    `  transcript ${state.transcriptBytes} bytes, ${state.turns.length} turns`,
  ];
  if (state.title) lines.splice(1, 0, `  title ${state.title}`);
  if (state.rateLimitedUntil)
    lines.push(
      `  usage limit of account ${state.account} until ${state.rateLimitedUntil}: ${state.rateLimitMessage ?? ''}`,
    );
  if (state.attention) {
    lines.push(`  needs attention: ${state.attention.type}: ${state.attention.message}`);
    lines.push(`  fix it, then \`convo resume ${state.id}\` (or \`convo skip ${state.id}\` to fail the turn)`);
  }
  for (const turn of state.turns) {
    lines.push(`  turn ${turn.index + 1} ${turn.status}: ${turn.prompt.split('\n')[0]}`);
    if (turn.reply) lines.push(`      → ${turn.reply.split('\n')[0]}`);
    if (turn.error) lines.push(`      ✗ ${turn.error.type}: ${turn.error.message}`);
  }
  return lines.join('\n');
}
