/**
 * What the turn machinery checks before a run (the cwd, the binary, what the backend can honour) and how it turns a
 * failed run into the `ApplicationFailure` the workflow reads.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import type { TurnInput } from '../../common/conversation.js';
import { NON_RETRYABLE_ERROR_TYPES, type TurnFailureDetails } from '../../common/errors.js';
import type { BackendTurn, Classification, TurnBackend } from '../backends/backend.js';
import type { ChildExit } from './process.js';

export function failure(
  c: Classification,
  exit: ChildExit,
  turn: BackendTurn,
  redact: (text: string) => string,
  attempt: number,
): ApplicationFailure {
  const details: TurnFailureDetails = {
    exitCode: exit.exitCode,
    signal: exit.signal,
    ...turn.failureDetails(),
    stderrTail: redact(exit.stderrTail) || undefined,
    resetsAt: c.resetsAt?.toISOString(),
    resetSource: c.resetSource,
  };
  // A reply cut at the output token maximum may come out shorter on a second try, but not on a third.
  const nonRetryable = NON_RETRYABLE_ERROR_TYPES.includes(c.type) || (c.type === 'MaxOutputTokens' && attempt >= 2);
  return ApplicationFailure.create({
    type: c.type,
    message: redact(c.message),
    nonRetryable,
    details: [details],
    nextRetryDelay: c.retryAfterMs,
  });
}

export async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.create({
      type: 'CwdNotFound',
      message: `working directory ${cwd} does not exist on this worker`,
      nonRetryable: true,
    });
  }
}

export async function assertExecutable(backend: TurnBackend): Promise<void> {
  try {
    await access(backend.binaryPath, constants.X_OK);
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'CliNotFound',
      message: `${backend.name} binary not found or not executable at ${backend.binaryPath} (${(err as NodeJS.ErrnoException).code}); set ${backend.binaryEnvVar}`,
      nonRetryable: true,
    });
  }
}

/** @throws ApplicationFailure `InvalidRequest` (non-retryable) for what this backend cannot run. */
export function assertRunnable(backend: TurnBackend, input: TurnInput): void {
  const problem =
    backend.optionsProblem?.(input.options) ??
    (input.kind === 'compact' && input.transcript.length === 0
      ? 'a conversation with no session has nothing to compact'
      : undefined);
  if (problem) throw ApplicationFailure.create({ type: 'InvalidRequest', message: problem, nonRetryable: true });
}
