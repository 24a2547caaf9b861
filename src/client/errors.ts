/**
 * The client's failures, and how a refused update maps to them: by the `ApplicationFailure` type a workflow
 * validator throws (`REFUSAL_TYPES`), or a turn's error type; never by message text.
 */
import { WorkflowNotFoundError, type Client, type WorkflowUpdateFailedError } from '@temporalio/client';
import { isRefusalType, isTurnErrorType, type TurnErrorType } from '../common/errors.js';

/** Why a client call was refused before any turn ran. */
export type ConvoErrorCode =
  | 'NotFound'
  | 'Closed'
  | 'InvalidPrompt'
  | 'InvalidOptions'
  | 'AlreadyExists'
  | 'NoWorker'
  | 'NotWaiting'
  | 'NotRunning'
  /** The conversation has no workspace to read (`diff`), or it is not on this machine. */
  | 'NoWorkspace'
  /** A git command the client ran failed (`diff` fetching the conversation's branch); the message is redacted. */
  | 'GitFailed';

/** A refused call: unknown or closed conversation, bad prompt, bad options. The message is one line. */
export class ConvoError extends Error {
  override name = 'ConvoError';
  constructor(
    readonly code: ConvoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A turn that ran and failed; `type` is one of `TURN_ERROR_TYPES`, `message` the CLI's own. */
export class TurnFailedError extends Error {
  override name = 'TurnFailedError';
  constructor(
    readonly type: TurnErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** The `type` and `message` of a failed update's cause (an `ApplicationFailure` from the workflow). */
export function updateCause(err: WorkflowUpdateFailedError): { type?: string; message: string } {
  const cause = err.cause as { type?: unknown; message?: string } | undefined;
  return { type: typeof cause?.type === 'string' ? cause.type : undefined, message: cause?.message ?? err.message };
}

/**
 * The client error for an update the workflow refused or failed: a turn error type gives a {@link TurnFailedError},
 * a refusal type (`Closed`, `InvalidPrompt`, `NotWaiting`, `NotRunning`) the {@link ConvoError} of that code.
 * @param id the conversation, for messages.
 * @param messages the client's message per refusal code, where it has its own (else the validator's message).
 * @returns undefined for any other failure type (the caller decides).
 */
export function updateError(
  id: string,
  err: WorkflowUpdateFailedError,
  messages: Partial<Record<ConvoErrorCode, string>> = {},
): ConvoError | TurnFailedError | undefined {
  const { type, message } = updateCause(err);
  if (isTurnErrorType(type)) return new TurnFailedError(type, message);
  if (!isRefusalType(type)) return undefined;
  const defaults: Partial<Record<ConvoErrorCode, string>> = { Closed: `conversation ${id} is closed` };
  return new ConvoError(type, messages[type] ?? defaults[type] ?? message);
}

/**
 * Rethrows a failure to reach conversation `id`: the SDK's `WorkflowNotFoundError` (the server's NOT_FOUND, which is
 * also what a signal to a finished workflow gets) becomes ConvoError `Closed` when the workflow exists, else
 * `NotFound`; anything else as it is.
 */
export async function missingOrClosed(client: Client, id: string, err: unknown): Promise<never> {
  if (err instanceof WorkflowNotFoundError) {
    const exists = await client.workflow
      .getHandle(id)
      .describe()
      .then(() => true)
      .catch(() => false);
    throw exists
      ? new ConvoError('Closed', `conversation ${id} is closed`)
      : new ConvoError('NotFound', `no conversation with id ${id}`);
  }
  throw err;
}
