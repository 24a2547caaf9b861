/**
 * The typed client API: start conversations, send turns, ask and wait for replies, read state, close.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ConversationOptions,
  promptProblem,
  type ConversationOptionsInput,
  type ConversationState,
  type ConversationStatus,
  type TurnProgress,
  type TurnReply,
} from '../common/conversation.js';
import {
  ConversationAccountKey,
  ConversationBackendKey,
  ConversationStatusKey,
  RateLimitedUntilKey,
  TurnCountKey,
} from '../common/search-attributes.js';
import { excerpt } from '../common/text.js';
import { transcriptToChat, type ChatTurn } from './chat.js';
import proto from '@temporalio/proto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { decodeFromPayloadsAtIndex, decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { tsToDate } from '@temporalio/common/lib/time.js';
import { createDataConverter } from '../codec/data-converter.js';
import { isTurnErrorType, type TurnErrorType } from '../common/errors.js';
import { loadConfig, type Config } from '../config.js';
import { connectionOptions } from '../connection.js';
import { createTranscriptStore } from '../storage/transcript-store.js';
import {
  CONVERSATION_WORKFLOW_TYPE,
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  resumeSignal,
  sendTurnSignal,
  skipSignal,
  stateQuery,
  transcriptQuery,
} from '../workflows/messages.js';
import type { conversationWorkflow } from '../workflows/conversation.js';

const { PendingActivityState, WorkflowExecutionStatus } = proto.temporal.api.enums.v1;

/** Why a client call was refused before any turn ran. */
export type ConvoErrorCode =
  | 'NotFound'
  | 'Closed'
  | 'InvalidPrompt'
  | 'InvalidOptions'
  | 'AlreadyExists'
  | 'NoWorker'
  | 'NotWaiting'
  | 'NotRunning';

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

/** One row of {@link ConvoClient.list}. Times are ISO 8601. */
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

/** Options for {@link ConvoClient.list}. */
export interface ListOptions {
  /** Only conversations with this status (matched on the `ConversationStatus` search attribute). */
  status?: ConversationStatus;
  /** At most this many rows, newest first; default 100. */
  limit?: number;
}

/** Options for {@link ConvoClient.start}. `cwd` defaults to the current directory and must exist. */
export type StartOptions = Omit<ConversationOptionsInput, 'cwd'> & {
  id?: string;
  cwd?: string;
  /** A first turn, queued with the start (signal-with-start); it also becomes the static summary when no title. */
  prompt?: string;
};

/** What {@link ConvoClient.snapshot} reports of the turn being worked on. */
export interface TurnActivity {
  /** The turn's index (from 0) and prompt. */
  index: number;
  prompt: string;
  /** `running`, or `waiting` (for a usage limit's reset, for attention, or for a worker to pick the turn up). */
  phase: 'running' | 'waiting';
  /** Attempt number of the turn activity (1 on the first try). */
  attempt?: number;
  /** The activity's latest heartbeat details, when the CLI has started. */
  progress?: TurnProgress;
  /** Why the last attempt failed, when it is being retried. */
  lastFailure?: string;
}

/** Drives conversations on a Temporal cluster. Create with {@link ConvoClient.connect}; call {@link close} after. */
export class ConvoClient {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly config: Config,
  ) {}

  /**
   * Connects with the environment's configuration: the Temporal address, namespace, TLS and API key from the
   * envconfig profile and `TEMPORAL_*` variables (src/connection.ts), the task queue from `CONVO_TASK_QUEUE`; payloads
   * are compressed, and encrypted when `config.encryption` has a current key (`CONVO_ENCRYPTION_KEY`).
   */
  static async connect(config: Config = loadConfig()): Promise<ConvoClient> {
    const connection = await Connection.connect(connectionOptions(config));
    const dataConverter = createDataConverter(config);
    return new ConvoClient(new Client({ connection, namespace: config.namespace, dataConverter }), connection, config);
  }

  /** Closes the connection. */
  async shutdown(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Starts a conversation.
   * @returns its id (given, or `conv-` plus 12 random hex digits).
   * @throws ConvoError `InvalidOptions` (cwd missing or not a directory, bad option), `AlreadyExists`.
   */
  async start(options: StartOptions = {}): Promise<string> {
    const { id: givenId, prompt, ...rest } = options;
    if (prompt !== undefined) checkPrompt(prompt);
    const cwd = resolve(rest.cwd ?? process.cwd());
    const info = await stat(cwd).catch(() => undefined);
    if (!info?.isDirectory()) throw new ConvoError('InvalidOptions', `cwd ${cwd} does not exist or is not a directory`);
    const parsed = ConversationOptions.safeParse({ account: this.config.account, ...rest, cwd });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConvoError('InvalidOptions', `${issue.path.join('.')}: ${issue.message}`);
    }
    const id = givenId ?? `conv-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const o = parsed.data;
    const start = {
      workflowId: id,
      taskQueue: this.config.taskQueue,
      args: [o] as [ConversationOptionsInput],
      memo: o.title ? { title: o.title } : undefined,
      // What the Web UI shows before the first workflow task runs; the workflow keeps them up to date after.
      typedSearchAttributes: [
        { key: ConversationStatusKey, value: prompt ? 'running' : 'idle' },
        { key: ConversationBackendKey, value: o.backend },
        { key: ConversationAccountKey, value: o.account },
        { key: TurnCountKey, value: prompt ? 1 : 0 },
      ],
      staticSummary: o.title ?? (prompt ? excerpt(prompt, 120) : `conversation in ${o.cwd}`),
      staticDetails: [`backend ${o.backend}`, `account ${o.account}`, `cwd ${o.cwd}`, o.model && `model ${o.model}`]
        .filter(Boolean)
        .join(' · '),
    };
    try {
      if (prompt) {
        await this.client.workflow.signalWithStart<typeof conversationWorkflow, [string]>(CONVERSATION_WORKFLOW_TYPE, {
          ...start,
          signal: sendTurnSignal,
          signalArgs: [prompt],
        });
      } else {
        await this.client.workflow.start<typeof conversationWorkflow>(CONVERSATION_WORKFLOW_TYPE, start);
      }
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ConvoError('AlreadyExists', `conversation ${id} already exists`);
      }
      throw err;
    }
    return id;
  }

  /**
   * Queues a turn (signal) and returns once the workflow has it.
   * @throws ConvoError `InvalidPrompt`, `NotFound`, `Closed`.
   */
  async send(id: string, prompt: string): Promise<void> {
    checkPrompt(prompt);
    const handle = await this.openHandle(id);
    await handle.signal(sendTurnSignal, prompt).catch((err: unknown) => this.rethrow(id, err));
  }

  /**
   * Queues a turn (update) and waits for its reply.
   * @throws ConvoError `InvalidPrompt`, `NotFound`, `Closed`; TurnFailedError when the turn ran and failed.
   */
  async ask(id: string, prompt: string): Promise<TurnReply> {
    checkPrompt(prompt);
    const handle = await this.openHandle(id);
    try {
      return await handle.executeUpdate(askUpdate, { args: [prompt] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause as { type?: unknown; message?: string } | undefined;
        if (isTurnErrorType(cause?.type)) throw new TurnFailedError(cause.type, cause.message ?? 'turn failed');
        if (cause?.message === 'conversation is closed') throw new ConvoError('Closed', `conversation ${id} is closed`);
        throw new ConvoError('InvalidPrompt', cause?.message ?? err.message);
      }
      return this.rethrow(id, err);
    }
  }

  /**
   * The conversation's state (works on closed conversations too). Answered by a worker, so it waits at most
   * `timeoutMs` (default 10000 ms) for one.
   * @throws ConvoError `NotFound`, `NoWorker` (no worker answered in time).
   */
  async state(id: string, timeoutMs = 10_000): Promise<ConversationState> {
    return this.query(id, () => this.client.workflow.getHandle(id).query(stateQuery), timeoutMs);
  }

  /**
   * The session transcript (Claude Code JSONL text), read from history and the transcript store.
   * @throws ConvoError `NotFound`, `NoWorker`; TranscriptIntegrityError when a stored segment is missing or corrupt.
   */
  async transcript(id: string, timeoutMs = 10_000): Promise<string> {
    const segments = await this.query(id, () => this.client.workflow.getHandle(id).query(transcriptQuery), timeoutMs);
    const store = createTranscriptStore(this.config);
    const parts = await Promise.all(segments.map((s) => (s.kind === 'inline' ? Buffer.from(s.data, 'utf8') : store.get(s))));
    return Buffer.concat(parts).toString('utf8');
  }

  /**
   * Asks the conversation to finish after its queued turns.
   * @throws ConvoError `NotFound`, `Closed`.
   */
  async close(id: string): Promise<void> {
    const handle = await this.openHandle(id);
    await handle.signal(closeSignal).catch((err: unknown) => this.rethrow(id, err));
  }

  /**
   * Runs again the turn that needs attention (after fixing credentials or billing).
   * @throws ConvoError `NotFound`, `Closed`, `NotWaiting` (the conversation does not need attention).
   */
  async resume(id: string): Promise<void> {
    await this.decide(id, 'resume');
  }

  /**
   * Fails the turn that needs attention with its error and goes on to the next turn.
   * @throws ConvoError `NotFound`, `Closed`, `NotWaiting`.
   */
  async skip(id: string): Promise<void> {
    await this.decide(id, 'skip');
  }

  private async decide(id: string, decision: 'resume' | 'skip'): Promise<void> {
    const handle = await this.openHandle(id);
    const { status } = await this.state(id);
    if (status !== 'needs_attention') {
      throw new ConvoError('NotWaiting', `conversation ${id} does not need attention (status ${status})`);
    }
    await handle.signal(decision === 'resume' ? resumeSignal : skipSignal).catch((err: unknown) => this.rethrow(id, err));
  }

  /**
   * Conversations on this namespace, newest first, from Temporal's visibility store (the search attributes the
   * workflows keep up to date: no worker needs to answer). Visibility lags the workflows by up to a second or so.
   */
  async list(options: ListOptions = {}): Promise<ConversationSummary[]> {
    const limit = options.limit ?? 100;
    let query = `WorkflowType = '${CONVERSATION_WORKFLOW_TYPE}'`;
    if (options.status) query += ` AND ${ConversationStatusKey.name} = '${options.status}'`;
    const rows: ConversationSummary[] = [];
    // Read raw pages rather than through `workflow.list()`, which decodes every memo eagerly: one title this process
    // cannot decrypt would fail the whole listing. Here that row just has no title (`titleUnreadable`).
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.config.namespace,
        query,
        pageSize: Math.min(limit, 100),
        nextPageToken,
      });
      for (const execution of page.executions ?? []) {
        if (rows.length >= limit) break;
        const attrs = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
        const temporalStatus = WorkflowExecutionStatus[execution.status ?? 0]!.replace('WORKFLOW_EXECUTION_STATUS_', '');
        const status = temporalStatus === 'RUNNING' || temporalStatus === 'COMPLETED' ? attrs.get(ConversationStatusKey) : undefined;
        const title = await decodeOptionalSinglePayload<unknown>(this.client.options.loadedDataConverter, execution.memo?.fields?.title).then(
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

  /**
   * The conversation's state with the turn being worked on and its live progress (the turn activity's heartbeat
   * details, from the workflow's description: pending activities). `activity` is undefined when no turn is running
   * or waiting.
   * @throws ConvoError `NotFound`, `NoWorker`.
   */
  async snapshot(id: string): Promise<{ state: ConversationState; activity?: TurnActivity }> {
    const handle = this.client.workflow.getHandle(id);
    const [description, state] = await Promise.all([
      handle.describe().catch((err: unknown) => this.rethrow(id, err)),
      this.state(id),
    ]);
    const waiting = state.status === 'rate_limited' || state.status === 'needs_attention';
    const turn = state.turns.find((t) => t.status === 'running') ?? (waiting ? state.turns.find((t) => t.status === 'queued') : undefined);
    if (!turn) return { state };
    const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runTurn');
    const started = pending?.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
    const payloads = pending?.heartbeatDetails?.payloads;
    const progress =
      started && payloads?.length
        ? await decodeFromPayloadsAtIndex<TurnProgress>(this.client.options.loadedDataConverter, 0, payloads).catch(() => undefined)
        : undefined;
    const activity: TurnActivity = {
      index: turn.index,
      prompt: turn.prompt,
      phase: started ? 'running' : 'waiting',
      attempt: pending?.attempt ?? undefined,
      progress,
      lastFailure: pending?.lastFailure?.message ?? undefined,
    };
    return { state, activity };
  }

  /**
   * Cancels the turn being worked on: a running turn's CLI is killed; a turn waiting for a usage limit's reset or
   * for attention stops waiting. The turn fails with type `Cancelled` and the conversation goes on.
   * @returns the cancelled turn's index (from 0).
   * @throws ConvoError `NotFound`, `Closed`, `NotRunning` (no turn is running or waiting).
   */
  async cancel(id: string): Promise<number> {
    const handle = await this.openHandle(id);
    try {
      return await handle.executeUpdate(cancelTurnUpdate);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new ConvoError('NotRunning', `conversation ${id}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      }
      return this.rethrow(id, err);
    }
  }

  /**
   * The conversation as a chat, per turn, read from its transcript (see {@link transcriptToChat}).
   * @throws ConvoError `NotFound`, `NoWorker`; TranscriptIntegrityError as {@link transcript}.
   */
  async chat(id: string): Promise<ChatTurn[]> {
    return transcriptToChat(await this.transcript(id));
  }

  /** A handle on a conversation that exists and has not finished. */
  private async openHandle(id: string): Promise<WorkflowHandle<typeof conversationWorkflow>> {
    const handle = this.client.workflow.getHandle<typeof conversationWorkflow>(id);
    const description = await handle.describe().catch((err: unknown) => this.rethrow(id, err));
    if (description.status.name !== 'RUNNING') throw new ConvoError('Closed', `conversation ${id} is closed`);
    return handle;
  }

  private async query<T>(id: string, run: () => Promise<T>, timeoutMs: number): Promise<T> {
    try {
      return await this.connection.withDeadline(Date.now() + timeoutMs, run);
    } catch (err) {
      if ((err as { code?: number }).code === 4 /* DEADLINE_EXCEEDED */) {
        throw new ConvoError(
          'NoWorker',
          `conversation ${id} did not answer within ${timeoutMs / 1000} s: is a worker running on task queue ${this.config.taskQueue}?`,
        );
      }
      return this.rethrow(id, err);
    }
  }

  private async rethrow(id: string, err: unknown): Promise<never> {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) {
      // Not found is also what Temporal says of a signal to a finished workflow.
      const exists = await this.client.workflow
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
}

function checkPrompt(prompt: string): void {
  const problem = promptProblem(prompt);
  if (problem) throw new ConvoError('InvalidPrompt', problem);
}
