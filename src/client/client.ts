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
  type TurnReply,
} from '../common/conversation.js';
import { createDataConverter } from '../codec/data-converter.js';
import { isTurnErrorType, type TurnErrorType } from '../common/errors.js';
import { loadConfig, type Config } from '../config.js';
import { createTranscriptStore } from '../storage/transcript-store.js';
import {
  CONVERSATION_WORKFLOW_TYPE,
  askUpdate,
  closeSignal,
  resumeSignal,
  sendTurnSignal,
  skipSignal,
  stateQuery,
  transcriptQuery,
} from '../workflows/messages.js';
import type { conversationWorkflow } from '../workflows/conversation.js';

/** Why a client call was refused before any turn ran. */
export type ConvoErrorCode =
  | 'NotFound'
  | 'Closed'
  | 'InvalidPrompt'
  | 'InvalidOptions'
  | 'AlreadyExists'
  | 'NoWorker'
  | 'NotWaiting';

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

/** One row of {@link ConvoClient.list}. */
export interface ConversationSummary {
  id: string;
  /** `idle`, `running` or `closed`; for a workflow that ended otherwise, its Temporal status in lower case. */
  status: string;
  title?: string;
  turns?: number;
  startedAt: string;
}

/** Options for {@link ConvoClient.start}. `cwd` defaults to the current directory and must exist. */
export type StartOptions = Omit<ConversationOptionsInput, 'cwd'> & { id?: string; cwd?: string };

/** Drives conversations on a Temporal cluster. Create with {@link ConvoClient.connect}; call {@link close} after. */
export class ConvoClient {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly config: Config,
  ) {}

  /**
   * Connects with the environment's configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `CONVO_TASK_QUEUE`);
   * payloads are compressed, and encrypted when `config.encryption` has a current key (`CONVO_ENCRYPTION_KEY`).
   */
  static async connect(config: Config = loadConfig()): Promise<ConvoClient> {
    const connection = await Connection.connect({ address: config.temporalAddress });
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
    const { id: givenId, ...rest } = options;
    const cwd = resolve(rest.cwd ?? process.cwd());
    const info = await stat(cwd).catch(() => undefined);
    if (!info?.isDirectory()) throw new ConvoError('InvalidOptions', `cwd ${cwd} does not exist or is not a directory`);
    const parsed = ConversationOptions.safeParse({ account: this.config.account, ...rest, cwd });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConvoError('InvalidOptions', `${issue.path.join('.')}: ${issue.message}`);
    }
    const id = givenId ?? `conv-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    try {
      await this.client.workflow.start<typeof conversationWorkflow>(CONVERSATION_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: this.config.taskQueue,
        args: [parsed.data],
        memo: parsed.data.title ? { title: parsed.data.title } : undefined,
      });
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

  /** Conversations on this namespace, newest first; at most `limit` (default 100). */
  async list(limit = 100): Promise<ConversationSummary[]> {
    const rows: ConversationSummary[] = [];
    for await (const execution of this.client.workflow.list({ query: `WorkflowType = '${CONVERSATION_WORKFLOW_TYPE}'` })) {
      rows.push({
        id: execution.workflowId,
        status: execution.status.name === 'COMPLETED' ? 'closed' : execution.status.name.toLowerCase(),
        title: typeof execution.memo?.title === 'string' ? execution.memo.title : undefined,
        startedAt: execution.startTime.toISOString(),
      });
      if (rows.length >= limit) break;
    }
    // The live status and turn count come from each running conversation's own state.
    await Promise.all(
      rows
        .filter((row) => row.status === 'running')
        .map(async (row) => {
          const state = await this.state(row.id, 2000).catch(() => undefined);
          if (state) Object.assign(row, { status: state.status, turns: state.turns.length });
        }),
    );
    return rows;
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
