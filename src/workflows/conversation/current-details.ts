/**
 * The Markdown the Web UI shows on a conversation's page ("current details"). Pure: the state and the workflow's
 * time in, text out, so that it is unit-tested without a workflow.
 */
import type { ConversationState } from '../../common/conversation.js';
import { excerpt, firstLines, roughDuration, utcTime } from '../../common/text.js';

/**
 * The current details of a conversation (Markdown, one paragraph per line): status, the running turn's prompt,
 * elapsed time (as of `now`, the workflow's time) and start time, the last reply's first lines, the reset time while
 * rate-limited, the reason while it needs attention.
 */
export function currentDetails(s: ConversationState, now: Date): string {
  const turnCount = `${s.turns.length} turn${s.turns.length === 1 ? '' : 's'}`;
  const lines = [`**${s.status}** · ${turnCount} · backend ${s.backend} · account ${s.account}`];
  if (s.title) lines.unshift(`### ${s.title}`);
  if (s.status === 'rate_limited' && s.rateLimitedUntil) {
    const until = `**${utcTime(s.rateLimitedUntil, now)}** (${s.rateLimitedUntil})`;
    lines.push(`Usage limit: sleeping until ${until}. ${s.rateLimitMessage ?? ''}`.trim());
  }
  if (s.attention) {
    lines.push(`Needs attention: **${s.attention.type}**: ${s.attention.message}`);
    lines.push(`Fix it, then \`convo resume ${s.id}\` (or \`convo skip ${s.id}\`).`);
  }
  const running = s.turns.find((t) => t.status === 'running');
  if (running) {
    const since = running.startedAt ?? running.queuedAt;
    const elapsedMs = now.getTime() - Date.parse(since);
    const took = elapsedMs >= 1000 ? ` for ${roughDuration(elapsedMs)}` : '';
    const prompt = excerpt(running.prompt, 200);
    lines.push(`Running turn ${running.index + 1}${took} (since ${utcTime(since, now)}): ${prompt}`);
  }
  // The turn waiting out a usage limit or waiting for attention is queued too, and already said above.
  const held = s.status === 'rate_limited' || s.attention ? 1 : 0;
  const queued = s.turns.filter((t) => t.status === 'queued').length - held;
  if (queued > 0) lines.push(`${queued} more turn${queued === 1 ? '' : 's'} queued`);
  const last = [...s.turns].reverse().find((t) => t.status === 'completed' || t.status === 'failed');
  if (last?.reply) {
    lines.push(`Last reply (turn ${last.index + 1}):`, firstLines(last.reply, 3, 160).replace(/^/gm, '> '));
  } else if (last?.error) {
    lines.push(`Turn ${last.index + 1} failed: ${last.error.type}: ${excerpt(last.error.message, 200)}`);
  }
  // One paragraph per line in the Web UI's Markdown.
  return lines.join('\n\n');
}
