/**
 * Calls that wait for a person, on the turn's side: installing Convo's `PreToolUse` hook for a run (its settings and
 * {@link HookConfig}), the {@link PendingToolCall} of a run that ended `tool_deferred`, and the approved calls that
 * ran (heartbeat details, so a retried attempt never runs them twice).
 *
 * Observed with Claude Code 2.1.330 (see shared CLI-FACTS): a deferred run ends exit 0 with a `result` event whose
 * `stop_reason` is `tool_deferred` and whose `deferred_tool_use` is `{id, name, input}` (`terminal_reason` is
 * `tool_deferred` on the run that paused, absent when a resumed run re-defers); `claude --print --resume` with empty
 * stdin re-announces the call to the hook; an allowed call's result is a `user` event with a `tool_result` block.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PendingToolCall, ToolDecision } from '../../../common/approvals.js';
import type { ConversationOptions, RunInput, RunOptions } from '../../../common/conversation.js';
import { oneLine } from '../../../common/text.js';
import { projectRoot } from '../../../paths.js';
import { toolInputLine } from '../../turn/tool-input.js';
import type { RanToolCall } from '../backend.js';
import { QUESTION_TOOL, type HookConfig } from './approval-hook-answer.js';
import { matchingRule } from './approval-rules.js';
import { MessageEvent, type ResultEvent, type StreamEvent } from './events.js';

/** The hook script, compiled (see `./approval-hook.ts`). */
export const APPROVAL_HOOK = join(projectRoot, 'dist', 'activities', 'backends', 'claude', 'approval-hook.js');

/** Output of a call that ran kept for a retried attempt, characters. */
export const RAN_OUTPUT_MAX = 16 * 1024;

/**
 * Whether a turn runs with the hook: when the conversation has `approve` rules, or the turn already has decisions or
 * calls that ran. (Claude Code 2.1.330 does not offer `AskUserQuestion` in `--print` and refuses a call to it before
 * any hook, so there is nothing for the hook to do otherwise.)
 */
export function needsHook(input: RunInput, ran: readonly RanToolCall[]): boolean {
  return (input.options.approve?.length ?? 0) > 0 || (input.decisions?.length ?? 0) > 0 || ran.length > 0;
}

/**
 * The hook's config for a run in `turnDir`, and the `hooks` to add to the run's settings.
 * @param ran approved calls an earlier attempt of this turn ran (from its heartbeat details).
 */
export function approvalHook(
  turnDir: string,
  input: RunInput,
  ran: readonly RanToolCall[],
  env: NodeJS.ProcessEnv,
): { config: HookConfig; configPath: string; hooks: Record<string, unknown> } {
  const configPath = join(turnDir, 'approval-hook.json');
  const config: HookConfig = {
    rules: input.options.approve ?? [],
    decisions: input.decisions ?? [],
    ran: [...ran],
    cwd: input.options.cwd,
    home: env.HOME ?? homedir(),
    deferredFile: join(turnDir, 'approval-hook.deferred'),
  };
  const command = [process.execPath, APPROVAL_HOOK, configPath].map(shellQuote).join(' ');
  return { config, configPath, hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command }] }] } };
}

/** The conversation's `settings` with the hooks added to its own (its `PreToolUse` hooks run too). */
export function withHooks(
  settings: ConversationOptions['settings'],
  hooks: Record<string, unknown>,
): Record<string, unknown> {
  const own = (settings?.hooks ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...own };
  for (const [event, list] of Object.entries(hooks)) {
    merged[event] = [...(Array.isArray(own[event]) ? (own[event] as unknown[]) : []), ...(list as unknown[])];
  }
  return { ...settings, hooks: merged };
}

/** The call a run paused on (not yet redacted), from its `result` event; undefined when it did not pause. */
export function pendingOf(
  result: ResultEvent | undefined,
  options: RunOptions,
  home: string,
): Omit<PendingToolCall, 'since'> | undefined {
  const call = result?.deferred_tool_use;
  if (!call || result.stop_reason !== 'tool_deferred') return undefined;
  const question = call.name === QUESTION_TOOL;
  const rule = question
    ? QUESTION_TOOL
    : (matchingRule(options.approve ?? [], { tool: call.name, input: call.input }, { cwd: options.cwd, home }) ??
      call.name);
  return {
    toolUseId: call.id,
    tool: call.name,
    input: call.input,
    summary: (question ? questionLine(call.input) : toolInputLine(call.input)) ?? '',
    kind: question ? 'question' : 'approval',
    rule,
  };
}

/** `AskUserQuestion`'s questions on one line. */
function questionLine(input: unknown): string | undefined {
  const questions = (input as { questions?: Array<{ question?: unknown }> } | undefined)?.questions;
  if (!Array.isArray(questions)) return toolInputLine(input);
  const text = questions.map((q) => (typeof q.question === 'string' ? q.question : '')).filter(Boolean);
  return text.length ? oneLine(text.join(' '), 200) : toolInputLine(input);
}

/** The text of a `tool_result` block's `content` (a string, or blocks of which the text ones count), cut. */
export function toolResultText(content: unknown): string {
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content
            .map((b: { type?: string; text?: unknown }) =>
              b?.type === 'text' && typeof b.text === 'string' ? b.text : '',
            )
            .join('\n')
        : '';
  return text.slice(0, RAN_OUTPUT_MAX);
}

/**
 * Follows a run's events for the results of approved calls: `calls` holds those of earlier attempts (`before`) and
 * each approved call whose `tool_result` this run printed (a `user` event), with its output.
 */
export function ranTracker(
  decisions: readonly ToolDecision[],
  before: readonly RanToolCall[],
): { calls: RanToolCall[]; see(event: StreamEvent | undefined): void } {
  const approved = new Set(decisions.filter((d) => d.decision === 'allow').map((d) => d.toolUseId));
  const calls = [...before];
  return {
    calls,
    see(event) {
      if (event?.type !== 'user' || approved.size === 0) return;
      const message = MessageEvent.safeParse(event);
      if (!message.success || !Array.isArray(message.data.message.content)) return;
      for (const block of message.data.message.content) {
        const id = block.tool_use_id;
        if (block.type !== 'tool_result' || typeof id !== 'string' || !approved.has(id)) continue;
        if (!calls.some((c) => c.toolUseId === id))
          calls.push({ toolUseId: id, output: toolResultText(block.content) });
      }
    },
  };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
