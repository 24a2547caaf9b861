/**
 * Tool calls that wait for a person: the shapes shared by the workflow, the turn activity and the clients.
 * Deterministic: imported by workflow code.
 *
 * How a call comes to wait (Claude Code 2.1.330, see shared CLI-FACTS): a `PreToolUse` command hook answers `defer`
 * for a call that matches one of the conversation's `approve` rules; the run ends at once with a `result` event whose
 * `terminal_reason` is `tool_deferred` and whose `deferred_tool_use` is `{id, name, input}`; the call is in the
 * transcript, the tool has not run. The turn activity returns it as {@link PendingToolCall}; the conversation waits
 * (durably) for a {@link ToolDecision}; the next run (`claude --print --resume`, nothing on stdin) re-announces the
 * call to the hook, which then answers `allow` or `deny` with the decision's reason.
 */
import { z } from 'zod';

/**
 * A rule in Claude Code's permission-rule syntax: a tool name (`Bash`, `Write`), a tool with a specifier
 * (`Bash(git push:*)`, `Edit(src/**)`), or an MCP name with a wildcard (`mcp__github__*`, `mcp__github`).
 */
export const ApprovalRule = z
  .string()
  .min(1)
  .regex(
    /^[A-Za-z0-9_*-]+(\(.+\))?$/,
    'an approval rule is a tool name, optionally with (specifier), e.g. Bash(git:*)',
  );

/** What a call that waits for a person is: a tool call to approve, or a question (`AskUserQuestion`) to answer. */
export type PendingKind = 'approval' | 'question';

/** A tool call the CLI paused on, waiting for a decision. */
export interface PendingToolCall {
  /** The model's `tool_use` id: the same when the CLI re-announces the call on resume. */
  toolUseId: string;
  /** The tool's name, e.g. `Bash`, `mcp__github__create_issue`, `AskUserQuestion`. */
  tool: string;
  /** The tool's input, as the model gave it (redacted of the worker's secrets). */
  input: unknown;
  /** Its input on one line (the command, the path, the question), for people. */
  summary: string;
  kind: PendingKind;
  /** The approval rule it matched (for `--always`). */
  rule: string;
  /** When the conversation started waiting, ISO 8601. */
  since: string;
}

/** A person's decision on a {@link PendingToolCall}. */
export interface ToolDecision {
  toolUseId: string;
  /** The decided call's tool and one-line input, so the record names it after it stopped waiting. */
  tool?: string;
  summary?: string;
  /** `allow`: the call runs; `deny`: it does not and the model is told `reason`; `answer`: a question's answer. */
  decision: 'allow' | 'deny' | 'answer';
  /** The reason a denial gives the model, or the answer to a question. */
  text?: string;
  /** Who decided (the client's identity, or `timeout` when `approvalTimeout` denied it). */
  by: string;
  /** When, ISO 8601. */
  at: string;
}

/** `approve` update's argument. */
export const ApproveInput = z.strictObject({
  /** Also allow the call's rule for the rest of the conversation (it no longer waits). */
  always: z.boolean().optional(),
  /** Who decides, for the record; the client fills in the user and host. */
  by: z.string().min(1).max(200).optional(),
});
export type ApproveInput = z.infer<typeof ApproveInput>;

/** `deny` update's argument. */
export const DenyInput = z.strictObject({
  /** Told to the model instead of the tool's result. */
  reason: z.string().min(1).max(10_000).optional(),
  by: z.string().min(1).max(200).optional(),
});
export type DenyInput = z.infer<typeof DenyInput>;

/** `answer` update's argument: the answer to the agent's question. */
export const AnswerInput = z.strictObject({
  text: z.string().min(1).max(100_000),
  by: z.string().min(1).max(200).optional(),
});
export type AnswerInput = z.infer<typeof AnswerInput>;

/** The reason a call denied by `approvalTimeout` gives the model. */
export const TIMEOUT_DENIAL = 'Nobody approved this tool call in time; it was not run.';
