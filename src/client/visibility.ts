/**
 * Reading what Temporal's server reports about conversations without asking a worker: the visibility store (for
 * `list`) and a workflow's pending activities (for live turn progress). The ONLY client module that uses SDK
 * internals (`@temporalio/common/lib/...`, raw protobuf enums): the public API decodes memos eagerly and has no
 * decoder for heartbeat details, see {@link listConversations} and {@link pendingTurn}.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import {
  decodeFromPayloadsAtIndex,
  decodeOptionalSinglePayload,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import { tsToDate } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type { ConversationStatus, TurnProgress } from '../common/conversation.js';
import {
  ConversationAccountKey,
  ConversationBackendKey,
  ConversationStatusKey,
  RateLimitedUntilKey,
  TurnCountKey,
} from '../common/search-attributes.js';
import { CONVERSATION_WORKFLOW_TYPE } from '../workflows/messages.js';

const { PendingActivityState, WorkflowExecutionStatus } = proto.temporal.api.enums.v1;

/** One row of `ConvoClient.list`. Times are ISO 8601. */
export interface ConversationSummary {
  id: string;
  /** A {@link ConversationStatus}; for a workflow that ended otherwise (failed, terminated…), its Temporal status in
   * lower case. */
  status: string;
  title?: string;
  /** Set when the title could not be decoded (encrypted with a key this process does not hold). */
  titleUnreadable?: boolean;
  backend?: string;
  account?: string;
  turns?: number;
  /** While rate-limited: the reset time. */
  rateLimitedUntil?: string;
  startedAt: string;
}

/** Options for `ConvoClient.list`. */
export interface ListOptions {
  /** Only conversations with this status (matched on the `ConversationStatus` search attribute). */
  status?: ConversationStatus;
  /** At most this many rows, newest first; default 100. */
  limit?: number;
}

/**
 * Conversations on `namespace`, newest first, from the visibility store (the search attributes the workflows keep
 * up to date). Visibility lags the workflows by up to a second or so.
 */
export async function listConversations(
  client: Client,
  namespace: string,
  options: ListOptions = {},
): Promise<ConversationSummary[]> {
  const limit = options.limit ?? 100;
  let query = `WorkflowType = '${CONVERSATION_WORKFLOW_TYPE}'`;
  if (options.status) query += ` AND ${ConversationStatusKey.name} = '${options.status}'`;
  const rows: ConversationSummary[] = [];
  // Read raw pages rather than through `workflow.list()`, which decodes every memo eagerly: one title this process
  // cannot decrypt would fail the whole listing. Here that row just has no title (`titleUnreadable`).
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace,
      query,
      pageSize: Math.min(limit, 100),
      nextPageToken,
    });
    for (const execution of page.executions ?? []) {
      if (rows.length >= limit) break;
      const attrs = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const temporalStatus = WorkflowExecutionStatus[execution.status ?? 0]!.replace('WORKFLOW_EXECUTION_STATUS_', '');
      const status =
        temporalStatus === 'RUNNING' || temporalStatus === 'COMPLETED' ? attrs.get(ConversationStatusKey) : undefined;
      const title = await decodeOptionalSinglePayload<unknown>(
        client.options.loadedDataConverter,
        execution.memo?.fields?.title,
      ).then(
        (value) => ({ title: typeof value === 'string' ? value : undefined }),
        () => ({ titleUnreadable: true }),
      );
      rows.push({
        id: execution.execution!.workflowId!,
        status: status ?? (temporalStatus === 'COMPLETED' ? 'closed' : temporalStatus.toLowerCase()),
        ...title,
        backend: attrs.get(ConversationBackendKey),
        account: attrs.get(ConversationAccountKey),
        turns: attrs.get(TurnCountKey),
        rateLimitedUntil: attrs.get(RateLimitedUntilKey)?.toISOString(),
        startedAt: tsToDate(execution.startTime!).toISOString(),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken && rows.length < limit);
  return rows;
}

/** The turn activity as the server reports it among a workflow's pending activities. */
export interface PendingTurn {
  /** True once a worker has started the attempt (else it waits to be picked up, or between retries). */
  started: boolean;
  /** Attempt number (1 on the first try). */
  attempt?: number;
  /** The latest heartbeat details of a started attempt; undefined when none, or when they do not decode. */
  progress?: TurnProgress;
  /** Why the last attempt failed, when it is being retried. */
  lastFailure?: string;
}

/**
 * The pending `runTurn` activity of a workflow's description, with its heartbeat details decoded (they are the
 * activity's first heartbeat argument, a `TurnProgress`).
 * @returns undefined when no turn activity is pending.
 */
export async function pendingTurn(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<PendingTurn | undefined> {
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runTurn');
  if (!pending) return undefined;
  const started = pending.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
  const payloads = pending.heartbeatDetails?.payloads;
  const progress =
    started && payloads?.length
      ? await decodeFromPayloadsAtIndex<TurnProgress>(client.options.loadedDataConverter, 0, payloads).catch(
          () => undefined,
        )
      : undefined;
  return {
    started,
    attempt: pending.attempt ?? undefined,
    progress,
    lastFailure: pending.lastFailure?.message ?? undefined,
  };
}
