/**
 * Refused tool calls and money, as `convo show`, `convo ask` and `convo watch` print them.
 */
import type { ToolDenial } from '../../common/agent-options.js';
import type { ConversationState } from '../../common/conversation.js';
import { excerpt } from '../../common/text.js';
import { shellWord } from '../../client/session-export.js';

/** US dollars for people: `$0.42`, `$12.00`; amounts under a cent keep four decimals (`$0.0031`). */
export function formatUsd(usd: number): string {
  return `$${usd > 0 && usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** One refused call: `✗ refused Bash: echo hi > out.txt`. */
export function denialLine(denial: ToolDenial): string {
  return `✗ refused ${denial.tool}${denial.input ? `: ${excerpt(denial.input, 100)}` : ''}`;
}

/**
 * The permission rule that would allow a refused call: for Bash, its command's first word (`Bash(echo:*)`, Claude
 * Code's prefix rule syntax); for any other tool, the tool's name (`Write`, `mcp__github__create_issue`).
 */
export function allowRule(denial: ToolDenial): string {
  if (denial.tool === 'Bash') {
    const word = denial.input.trim().split(/\s+/)[0];
    if (word && /^[\w./-]+$/.test(word)) return `Bash(${word}:*)`;
  }
  return denial.tool;
}

/**
 * The command that allows a turn's refused calls from the next turn on. `--allowed-tools` replaces the list, so the
 * tools allowed now are kept in it.
 * @param allowed the conversation's allowed tools now, when known.
 */
export function allowHint(id: string, denials: ToolDenial[], allowed: string[] = []): string {
  const rules = [...new Set([...allowed, ...denials.map(allowRule)])];
  return `convo configure ${shellWord(id)} --allowed-tools ${rules.map(shellWord).join(' ')}`;
}

/**
 * What `convo ask` prints on stderr after a reply when the CLI refused calls: one line per call, then the command
 * that allows them from the next turn on (see {@link allowHint}).
 */
export function refusalLines(id: string, denials: ToolDenial[], allowed: string[] = []): string[] {
  if (denials.length === 0) return [];
  return [
    ...denials.map(denialLine),
    `the CLI refused ${denials.length === 1 ? 'this call' : 'these calls'}; to allow from the next turn on:`,
    `  ${allowHint(id, denials, allowed)}`,
  ];
}

/**
 * What the conversation spent: `cost $0.42 of $1.00 budget`, or `cost $0.42` without a budget. The total is the
 * state's `costUsd`, or the turns' sum for a workflow from before it kept one.
 */
export function costLine(state: ConversationState): string {
  const total = state.costUsd ?? state.turns.reduce((sum, t) => sum + (t.costUsd ?? 0), 0);
  const budget = state.options?.maxCostUsd;
  return `cost ${formatUsd(total)}${budget !== undefined ? ` of ${formatUsd(budget)} budget` : ''}`;
}
