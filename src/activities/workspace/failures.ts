/**
 * The failures of workspace code, as `ApplicationFailure`s typed from `TURN_ERROR_TYPES`: `WorkspaceUnavailable`
 * (retried) and `PushRejected` (waits for a person). Messages are one line and carry no secret: callers pass a
 * redactor for the remote's URL.
 */
import { ApplicationFailure } from '@temporalio/common';
import { GitError } from './git.js';

/** Replaces the secrets in a text (the expanded remote URL, the values of the variables it references). */
export type Redact = (text: string) => string;

const noSecrets: Redact = (text) => text;

/** Longest message kept, characters. */
const MAX_MESSAGE = 600;

/** `text` on one line (newlines become ` | `), at most {@link MAX_MESSAGE} characters. */
export function oneLine(text: string): string {
  const line = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' | ');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/**
 * `WorkspaceUnavailable`: the workspace could not be made or saved. Retryable unless `nonRetryable` (what no retry
 * heals, e.g. a variable the URL references is not set on the worker).
 */
export function workspaceUnavailable(
  message: string,
  { nonRetryable = false, redact = noSecrets }: { nonRetryable?: boolean; redact?: Redact } = {},
): ApplicationFailure {
  return ApplicationFailure.create({ type: 'WorkspaceUnavailable', message: oneLine(redact(message)), nonRetryable });
}

/**
 * `PushRejected` (non-retryable): the conversation's branch on the remote is not where this conversation left it,
 * or the remote refused the push. Names the branch, the commit expected (`absent` when the branch should not exist
 * yet) and the one found.
 */
export function pushRejected(
  branch: string,
  expected: string | undefined,
  found: string | undefined,
  { reason, redact = noSecrets }: { reason?: string; redact?: Redact } = {},
): ApplicationFailure {
  const why = reason ? `: ${reason}` : '';
  const message =
    `branch ${branch} on the remote is at ${found ?? 'nothing (absent)'}, expected ${expected ?? 'absent'}` +
    `; it is never overwritten (resume runs the turn again from the conversation's last commit)${why}`;
  return ApplicationFailure.create({ type: 'PushRejected', message: oneLine(redact(message)), nonRetryable: true });
}

/**
 * A failed git command as `WorkspaceUnavailable` (retryable): the command (without its `-c` settings, redacted,
 * shortened) and the last lines of its stderr, redacted. Anything that is not a {@link GitError} (an `AbortError`
 * when the turn was cancelled, an `ApplicationFailure`) is returned as it is.
 */
export function gitFailure(err: unknown, redact: Redact = noSecrets): unknown {
  if (!(err instanceof GitError)) return err;
  const command: string[] = [];
  for (let i = 0; i < err.args.length; i++) {
    if (err.args[i] === '-c') i++;
    else command.push(err.args[i]!);
  }
  let shown = redact(command.join(' '));
  if (shown.length > 200) shown = `${shown.slice(0, 199)}…`;
  const tail = err.stderr.trim().split('\n').slice(-4).join('\n');
  return workspaceUnavailable(`git ${shown} failed (exit ${err.exitCode ?? 'signal'}): ${tail || 'no output'}`, {
    redact,
  });
}
