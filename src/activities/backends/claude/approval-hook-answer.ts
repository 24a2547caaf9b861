/**
 * What Convo's `PreToolUse` hook answers Claude Code for one tool call (the hook process is `./approval-hook.ts`; the
 * turn writes its {@link HookConfig}, see `./approvals.ts`).
 *
 * Hook protocol: Claude Code 2.1.330 `PreToolUse` command hooks (code.claude.com/docs/en/hooks). The event arrives on
 * stdin as JSON with `tool_name`, `tool_input`, `tool_use_id`; printing
 * `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":…}}` decides the call: `allow` runs it,
 * `deny` gives the model `permissionDecisionReason` instead (as "PreToolUse:Bash hook error: <reason>"), `defer` ends
 * the `--print` run with `terminal_reason: "tool_deferred"`; printing nothing leaves the call to the usual permissions.
 */
import { z } from 'zod';
import type { ToolDecision } from '../../../common/approvals.js';
import type { RanToolCall } from '../backend.js';
import { matchingRule } from './approval-rules.js';

/** The tool that asks the user questions; its calls always wait (as kind `question`) while the hook is installed. */
export const QUESTION_TOOL = 'AskUserQuestion';

/** What the turn tells its hook (a 0600 JSON file in the turn's private dir). */
export interface HookConfig {
  /** The conversation's `approve` rules. */
  rules: string[];
  /** Every decision made on this turn so far. */
  decisions: ToolDecision[];
  /** Approved calls that already ran on an earlier attempt of this turn. */
  ran: RanToolCall[];
  /** The conversation's cwd and the worker user's home, for file rules. */
  cwd: string;
  home: string;
  /** Where the hook notes the call it deferred in this run (created once per run: only one call can wait). */
  deferredFile: string;
}

/** The `PreToolUse` event, as far as the hook reads it. */
export const PreToolUseEvent = z
  .object({ tool_name: z.string(), tool_input: z.unknown(), tool_use_id: z.string() })
  .passthrough();
export type PreToolUseEvent = z.infer<typeof PreToolUseEvent>;

/** A hook's decision on one call; `undefined` means no opinion (the usual permissions apply). */
export type HookAnswer =
  | { permissionDecision: 'allow' }
  | { permissionDecision: 'deny'; permissionDecisionReason: string }
  | { permissionDecision: 'defer' };

/** Told to the model for a later call of a message whose earlier call waits: it did not run and may be made again. */
export const NOT_RUN_WHILE_WAITING =
  "Not run: an earlier tool call of this message is waiting for the user's decision. Make this call again after that one is decided.";

/** What a denial without a reason tells the model. */
export const DENIED = 'The user denied this tool call.';

/**
 * Decides one call, in this order: a call an earlier attempt already ran is denied with its saved output (so it never
 * runs twice, and the model still gets the output); a decided call gets its decision (`answer`: denied with "The user
 * answered: …"); once a call was deferred in this run, every other call is denied with {@link NOT_RUN_WHILE_WAITING}
 * (Claude Code 2.1.330 keeps only the last deferred call of a run and drops the others from the conversation); an
 * `AskUserQuestion` call or a call matching a rule is deferred (`deferredBefore` then names it); anything else gets
 * no opinion.
 * @param deferredBefore the call this run already deferred, if any.
 */
export function hookAnswer(
  event: PreToolUseEvent,
  config: HookConfig,
  deferredBefore?: string,
): HookAnswer | undefined {
  const id = event.tool_use_id;
  const decision = config.decisions.filter((d) => d.toolUseId === id).at(-1);
  const ran = config.ran.find((r) => r.toolUseId === id);
  if (ran) {
    const approved = decision ? ` (approved by ${decision.by} at ${decision.at})` : '';
    return deny(`This call already ran${approved} before the worker running it stopped; its output was: ${ran.output}`);
  }
  if (decision?.decision === 'allow') return { permissionDecision: 'allow' };
  if (decision?.decision === 'deny') return deny(decision.text || DENIED);
  if (decision?.decision === 'answer') return deny(`The user answered: ${decision.text ?? ''}`);
  if (deferredBefore !== undefined && deferredBefore !== id) return deny(NOT_RUN_WHILE_WAITING);
  if (deferredBefore === id || waits(event, config)) return { permissionDecision: 'defer' };
  return undefined;
}

function waits(event: PreToolUseEvent, config: HookConfig): boolean {
  if (event.tool_name === QUESTION_TOOL) return true;
  return matchingRule(config.rules, { tool: event.tool_name, input: event.tool_input }, config) !== undefined;
}

function deny(reason: string): HookAnswer {
  return { permissionDecision: 'deny', permissionDecisionReason: reason };
}
