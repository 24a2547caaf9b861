/**
 * The error taxonomy of a turn. Activities raise `ApplicationFailure`s whose `type` is one of these names; workflows
 * and clients match on the name, never on `instanceof` (which breaks across the workflow sandbox).
 *
 * This module is imported by workflow code: it must stay deterministic and free of Node built-ins.
 */

/** Every way a turn can fail, as one list used by activities, workflows and clients. */
export const TURN_ERROR_TYPES = [
  /** The account hit a usage limit; carries the reset time. */
  'UsageLimit',
  /** Credentials missing, invalid or expired. Never retried. */
  'Authentication',
  /** The account cannot pay for the request. Never retried. */
  'Billing',
  /** The model API rejected the request as malformed. Never retried. */
  'InvalidRequest',
  /** 5xx, overloaded, connection refused. Retried with backoff. */
  'ServerError',
  /** The reply hit the output token maximum. Retried once. */
  'MaxOutputTokens',
  /** The CLI produced no event for too long and was killed. Retried. */
  'Hung',
  /** The CLI binary is missing or not executable. Never retried. */
  'CliNotFound',
  /** The CLI could not resume the transcript it was given. Never retried. */
  'SessionNotFound',
  /** The conversation's working directory does not exist on the worker. Never retried. */
  'CwdNotFound',
  /** The stored transcript is not valid JSONL. Never retried. */
  'TranscriptInvalid',
  /** The session no longer fits the model's context window (400 "prompt is too long"). Never retried as is: the
   * conversation compacts the session and runs the turn again, once. */
  'ContextOverflow',
  /** The conversation spent its `maxCostUsd`: set by the workflow before a turn starts; waits for a person. */
  'BudgetExceeded',
  /** The git remote refused the push of a turn's commit (someone else moved the conversation's branch, or it is
   * protected). Never retried: waits for a person (`resume` runs the turn again from the conversation's last commit,
   * `skip` fails it); the branch is never overwritten. */
  'PushRejected',
  /** The workspace could not be made or saved: the git remote cannot be reached or read, a git command failed.
   * Retried with backoff. */
  'WorkspaceUnavailable',
  /** Anything else. Retried with backoff. */
  'Unknown',
  /** The turn was cancelled (`convo cancel`); its CLI was killed. Set by the workflow, never by an activity. */
  'Cancelled',
] as const;

/** One of {@link TURN_ERROR_TYPES}. */
export type TurnErrorType = (typeof TURN_ERROR_TYPES)[number];

/** Types that no retry can heal: the activity fails at once. */
export const NON_RETRYABLE_ERROR_TYPES: readonly TurnErrorType[] = [
  'UsageLimit',
  'Authentication',
  'Billing',
  'InvalidRequest',
  'CliNotFound',
  'SessionNotFound',
  'CwdNotFound',
  'TranscriptInvalid',
  'ContextOverflow',
  'PushRejected',
];

/** True when `value` names a turn error type. */
export function isTurnErrorType(value: unknown): value is TurnErrorType {
  return typeof value === 'string' && (TURN_ERROR_TYPES as readonly string[]).includes(value);
}

/** What a failed turn reports: the type and the CLI's real message. */
export interface TurnError {
  type: TurnErrorType;
  message: string;
}

/**
 * Details attached to every turn failure (the `details[0]` of the `ApplicationFailure`), so that the CLI's real
 * output is never swallowed.
 */
export interface TurnFailureDetails {
  /** CLI exit code, or null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** Signal that ended the CLI, e.g. `SIGKILL`. */
  signal: string | null;
  /** The stream-json `result` event's `subtype` (Claude Code), when there was one. */
  resultSubtype?: string;
  /** The name of the CLI's structured error (opencode: `APIError`, `ProviderAuthError`, …), when there was one. */
  errorName?: string;
  /** HTTP status of the model API error, when the CLI reported one. */
  apiErrorStatus?: number | null;
  /** Last part of the CLI's stderr (at most 4 KiB). */
  stderrTail?: string;
  /** Usage limit only: when the limit resets (ISO 8601), and where that time was read from. */
  resetsAt?: string;
  resetSource?: 'rate_limit_event' | 'retry-after' | 'text';
}

/**
 * Why an update's validator refused a request before anything ran: the `type` of the `ApplicationFailure` it throws.
 * The client turns each into a `ConvoError` with the same code.
 */
export const REFUSAL_TYPES = ['Closed', 'InvalidPrompt', 'InvalidOptions', 'NotWaiting', 'NotRunning'] as const;

/** One of {@link REFUSAL_TYPES}. */
export type RefusalType = (typeof REFUSAL_TYPES)[number];

/** True when `value` names a refusal type. */
export function isRefusalType(value: unknown): value is RefusalType {
  return typeof value === 'string' && (REFUSAL_TYPES as readonly string[]).includes(value);
}
