/**
 * Sending a message to a conversation that is open (its workflow is running), and turning a refused or failed update
 * into the client's errors.
 */
import {
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import type { conversationWorkflow } from '../workflows/conversation/workflow.js';
import { ConvoError, missingOrClosed, updateCause, updateError, type ConvoErrorCode } from './errors.js';

/** A conversation workflow's handle. */
export type ConversationHandle = WorkflowHandle<typeof conversationWorkflow>;

/**
 * A handle on conversation `id`, which exists and has not finished, and its description.
 * @throws ConvoError `NotFound`, `Closed`.
 */
export async function openConversation(
  client: Client,
  id: string,
): Promise<{ handle: ConversationHandle; description: WorkflowExecutionDescription }> {
  const handle = client.workflow.getHandle<typeof conversationWorkflow>(id);
  const description = await handle.describe().catch((err: unknown) => missingOrClosed(client, id, err));
  if (description.status.name !== 'RUNNING') throw new ConvoError('Closed', `conversation ${id} is closed`);
  return { handle, description };
}

/**
 * Runs an update on open conversation `id`. A refusal or a failed turn becomes its ConvoError or TurnFailedError
 * ({@link updateError}, with `messages`); any other failed update `untyped`'s error (default: the cause's message,
 * e.g. a workflow from an older Convo that has no handler for the update).
 * @throws ConvoError `NotFound`, `Closed`, or a refusal's code; TurnFailedError.
 */
export async function runUpdate<R>(
  client: Client,
  id: string,
  run: (handle: ConversationHandle, description: WorkflowExecutionDescription) => Promise<R>,
  untyped = defaultUntyped(id),
  messages?: Partial<Record<ConvoErrorCode, string>>,
): Promise<R> {
  const { handle, description } = await openConversation(client, id);
  return typedFailures(client, id, () => run(handle, description), untyped, messages);
}

/**
 * {@link runUpdate} without looking the conversation up first (one round trip less): a missing or closed conversation
 * is told from the update's own failure.
 * @throws ConvoError `NotFound`, `Closed`, or a refusal's code; TurnFailedError.
 */
export async function runUpdateAtOnce<R>(
  client: Client,
  id: string,
  run: (handle: ConversationHandle) => Promise<R>,
  untyped = defaultUntyped(id),
  messages?: Partial<Record<ConvoErrorCode, string>>,
): Promise<R> {
  return typedFailures(client, id, () => run(client.workflow.getHandle(id)), untyped, messages);
}

function defaultUntyped(id: string): (err: WorkflowUpdateFailedError) => Error {
  return (err) => new Error(`conversation ${id}: ${updateCause(err).message}`, { cause: err });
}

async function typedFailures<R>(
  client: Client,
  id: string,
  run: () => Promise<R>,
  untyped: (err: WorkflowUpdateFailedError) => Error,
  messages?: Partial<Record<ConvoErrorCode, string>>,
): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) return missingOrClosed(client, id, err);
    throw updateError(id, err, messages) ?? untyped(err);
  }
}
