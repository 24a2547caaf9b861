/**
 * The Markdown the Web UI shows on a conversation's page ("current details"). Pure: the state and the workflow's
 * time in, text out, so that it is unit-tested without a workflow.
 */
import type { ToolDenial } from '../../common/agent-options.js';
import type { PendingToolCall } from '../../common/approvals.js';
import type { ConversationState } from '../../common/conversation.js';
import type { TurnWorkspaceRecord } from '../../common/workspace.js';
import { excerpt, firstLines, roughDuration, utcTime } from '../../common/text.js';

/**
 * The current details of a conversation (Markdown, one paragraph per line): status, the total spent (and the budget),
 * the running turn's prompt, elapsed time (as of `now`, the workflow's time) and start time, the last reply's first
 * lines, the tool calls its turn refused and the files it changed (lines added and removed), the reset time while
 * rate-limited, the reason and the commands while it needs attention, the waiting tool call (its input) and the
 * commands that decide it while it needs approval.
 */
export function currentDetails(s: ConversationState, now: Date): string {
  const turnCount = `${s.turns.length} turn${s.turns.length === 1 ? '' : 's'}`;
  const lines = [`**${s.status}** · ${turnCount} · backend ${s.backend} · account ${s.account}${spent(s)}`];
  if (s.title) lines.unshift(`### ${s.title}`);
  if (s.status === 'rate_limited' && s.rateLimitedUntil) {
    const until = `**${utcTime(s.rateLimitedUntil, now)}** (${s.rateLimitedUntil})`;
    lines.push(`Usage limit: sleeping until ${until}. ${s.rateLimitMessage ?? ''}`.trim());
  }
  if (s.attention?.type === 'BudgetExceeded') {
    lines.push(`Needs attention: **${s.attention.type}**: ${s.attention.message}`);
    lines.push(
      `Raise the budget with \`convo configure ${s.id} --max-cost-usd N\` and the turn runs; ` +
        `or \`convo resume ${s.id}\` to run it anyway, \`convo skip ${s.id}\` to fail it.`,
    );
  } else if (s.attention) {
    lines.push(`Needs attention: **${s.attention.type}**: ${s.attention.message}`);
    lines.push(`Fix it, then \`convo resume ${s.id}\` (or \`convo skip ${s.id}\`).`);
  }
  if (s.pending) lines.push(...waiting(s.pending, s.id, now));
  const running = s.turns.find((t) => t.status === 'running');
  if (running) {
    const since = running.startedAt ?? running.queuedAt;
    const elapsedMs = now.getTime() - Date.parse(since);
    const took = elapsedMs >= 1000 ? ` for ${roughDuration(elapsedMs)}` : '';
    const prompt = excerpt(running.prompt, 200);
    lines.push(`Running turn ${running.index + 1}${took} (since ${utcTime(since, now)}): ${prompt}`);
  }
  // The turn waiting out a usage limit, for attention or for a decision is queued too, and already said above.
  const held = s.status === 'rate_limited' || s.attention || s.pending ? 1 : 0;
  const queued = s.turns.filter((t) => t.status === 'queued').length - held;
  if (queued > 0) lines.push(`${queued} more turn${queued === 1 ? '' : 's'} queued`);
  const last = [...s.turns].reverse().find((t) => t.status === 'completed' || t.status === 'failed');
  if (last?.reply) {
    lines.push(`Last reply (turn ${last.index + 1}):`, firstLines(last.reply, 3, 160).replace(/^/gm, '> '));
  } else if (last?.error) {
    lines.push(`Turn ${last.index + 1} failed: ${last.error.type}: ${excerpt(last.error.message, 200)}`);
  }
  if (last?.denials?.length) lines.push(refused(last.denials, s.id));
  if (last?.workspace) lines.push(changed(last.index, last.workspace, s.repo ? 'commit' : 'snapshot'));
  // One paragraph per line in the Web UI's Markdown.
  return lines.join('\n\n');
}

/** ` · $0.60 spent`, ` · $0.60 of $1.00 budget`, or nothing while nothing was spent and there is no budget. */
function spent(s: ConversationState): string {
  const max = s.options.maxCostUsd;
  if (max !== undefined) return ` · $${s.costUsd.toFixed(2)} of $${max.toFixed(2)} budget`;
  return s.costUsd > 0 ? ` · $${s.costUsd.toFixed(2)} spent` : '';
}

/** The tool calls a turn refused (the first three), and the options that allow them. */
function refused(denials: ToolDenial[], id: string): string {
  const shown = denials.slice(0, 3).map((d) => `${d.tool}: ${excerpt(d.input, 80)}`);
  if (denials.length > shown.length) shown.push(`and ${denials.length - shown.length} more`);
  const calls = `${denials.length} tool call${denials.length === 1 ? '' : 's'} refused`;
  return (
    `${calls}: ${shown.join(', ')}. ` +
    `\`--allowed-tools\` (at start) or \`convo configure ${id} --allowed-tools …\` allows them.`
  );
}

/** How many changed files the details list before `and N more`. */
const FILES_SHOWN = 20;

/**
 * The files a turn changed, as a Markdown list (`src/a.ts` +3 −1; binary files say so), the first
 * {@link FILES_SHOWN}, after a line naming the turn and its commit (or snapshot).
 */
function changed(index: number, w: TurnWorkspaceRecord, kind: 'commit' | 'snapshot'): string {
  if (!w.commit || w.files.length === 0) return `Turn ${index + 1} changed no files.`;
  const count = `${w.files.length} file${w.files.length === 1 ? '' : 's'}`;
  const list = w.files.slice(0, FILES_SHOWN).map((f) => {
    const lines = f.added < 0 || f.removed < 0 ? 'binary' : `+${f.added} −${f.removed}`;
    return `- ${code(f.path)} ${lines}`;
  });
  if (w.files.length > FILES_SHOWN) list.push(`- and ${w.files.length - FILES_SHOWN} more`);
  return [`Turn ${index + 1} changed ${count} (${kind} ${code(w.commit.slice(0, 7))}):`, ...list].join('\n');
}

/** `text` as Markdown inline code, with a fence longer than any run of backticks in it. */
function code(text: string): string {
  const fence = '`'.repeat(Math.max(1, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return fence.length > 1 ? `${fence} ${text} ${fence}` : `\`${text}\``;
}

/** How much of a waiting call's input the details show, characters. */
const INPUT_SHOWN = 2000;

/** The tool call (or question) waiting for a decision: what it is, since when, its input, and the commands. */
function waiting(p: PendingToolCall, id: string, now: Date): string[] {
  const since = `since ${utcTime(p.since, now)}`;
  const json = JSON.stringify(p.input, null, 2) ?? String(p.input);
  const input = json.length > INPUT_SHOWN ? `${json.slice(0, INPUT_SHOWN - 1)}…` : json;
  // A fence longer than any run of backticks in the input, so that the input cannot close it.
  const fence = '`'.repeat(Math.max(3, ...[...input.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const block = `${fence}json\n${input}\n${fence}`;
  if (p.kind === 'question') {
    return [
      `Needs an answer (${since}): the agent asks: ${excerpt(p.summary, 300)}`,
      block,
      `Answer with \`convo answer ${id} TEXT\` (or \`convo deny ${id} --reason …\`).`,
    ];
  }
  const always = p.rule ? ` (\`--always\` also allows \`${p.rule}\` from now on)` : '';
  return [
    `Needs approval (${since}): **${p.tool}** ${excerpt(p.summary, 200)}`,
    block,
    `\`convo approve ${id}\` runs it${always}; \`convo deny ${id} --reason …\` refuses it and tells the agent why.`,
  ];
}
