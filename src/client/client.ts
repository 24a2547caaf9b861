/**
 * The typed client API: start conversations, send turns, ask and wait for replies, read state, close.
 */
import { Client, Connection, isGrpcDeadlineError } from '@temporalio/client';
import { createDataConverter } from '../codec/data-converter.js';
import { AnswerInput, ApproveInput, DenyInput, type ToolDecision } from '../common/approvals.js';
import {
  ASK_INLINE_REPLY_MAX_BYTES,
  type ConfigureInput,
  type ConversationState,
  type TurnReply,
} from '../common/conversation.js';
import { ConversationBackendKey } from '../common/search-attributes.js';
import { loadClientConfig, type ClientConfig } from '../config/client.js';
import { connectionOptions } from '../config/connection.js';
import { createTranscriptStore, readTranscriptSegments } from '../storage/transcript-store.js';
import {
  answerUpdate,
  approveUpdate,
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  compactUpdate,
  configureUpdate,
  denyUpdate,
  resumeUpdate,
  sendTurnSignal,
  skipUpdate,
  stateQuery,
  transcriptQuery,
} from '../workflows/messages.js';
import type { FollowEvent } from '../common/turn-events.js';
import { transcriptToChat, type ChatTurn } from './chat.js';
import { ConvoError, missingOrClosed, updateCause } from './errors.js';
import { checkConfigure } from './configure.js';
import { checkedInput, decidedBy, notWaitingAs } from './decisions.js';
import { conversationDiff, type ConversationDiff, type DiffOptions } from './diff.js';
import { followConversation, type FollowOptions } from './follow.js';
import { forkConversation, type ForkOptions } from './fork.js';
import { sessionExport, type SessionExport } from './session-export.js';
import { checkPrompt, startConversation, type StartOptions } from './start.js';
import { currentTurn, turnActivity, type TurnActivity } from './snapshot.js';
import { turnReply } from './turn-reply.js';
import { openConversation, runUpdate, runUpdateAtOnce } from './updates.js';
import { listConversations, pendingTurn, type ConversationSummary, type ListOptions } from './visibility.js';

export { ConvoError, TurnFailedError, type ConvoErrorCode } from './errors.js';
export type { StartOptions } from './start.js';
export type { ConversationDiff, DiffOptions } from './diff.js';
export type { ForkOptions } from './fork.js';
export type { FollowOptions } from './follow.js';
export type { SessionExport } from './session-export.js';
export type { TurnActivity } from './snapshot.js';
export type { ConversationSummary, ListOptions } from './visibility.js';

/** Drives conversations on a Temporal cluster. Create with {@link ConvoClient.connect}; call {@link close} after. */
export class ConvoClient {
  private constructor(
    readonly client: Client,
    private readonly connection: Connection,
    private readonly config: ClientConfig,
  ) {}

  /**
   * Connects with the environment's configuration: the Temporal address, namespace, TLS and API key from the
   * envconfig profile and `TEMPORAL_*` variables (src/config/connection.ts), the task queue from `CONVO_TASK_QUEUE`;
   * payloads are compressed, and encrypted when `config.encryption` has a current key (`CONVO_ENCRYPTION_KEY`).
   */
  static async connect(config: ClientConfig = loadClientConfig()): Promise<ConvoClient> {
    const connection = await Connection.connect(connectionOptions(config));
    const dataConverter = createDataConverter(config);
    return new ConvoClient(new Client({ connection, namespace: config.namespace, dataConverter }), connection, config);
  }

  /** Closes the connection. */
  async shutdown(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Starts a conversation. With `importSession`, it starts from that Claude Code session: its transcript goes to the
   * transcript store and the first turn resumes it.
   * @returns its id (given, or `conv-` plus 12 random hex digits).
   * @throws ConvoError `InvalidOptions` (cwd missing or not a directory, unknown backend, bad option, options the
   *   backend cannot honour, a session file that is not one), `AlreadyExists`.
   */
  async start(options: StartOptions = {}): Promise<string> {
    return startConversation(this.client, this.config, options);
  }

  /**
   * Queues a turn (signal) and returns once the workflow has it.
   * @throws ConvoError `InvalidPrompt`, `NotFound`, `Closed`.
   */
  async send(id: string, prompt: string): Promise<void> {
    checkPrompt(prompt);
    const { handle } = await openConversation(this.client, id);
    await handle.signal(sendTurnSignal, prompt).catch((err: unknown) => this.rethrow(id, err));
  }

  /**
   * Queues a turn (update) and waits for its reply.
   * @throws ConvoError `InvalidPrompt`, `NotFound`, `Closed`; TurnFailedError when the turn ran and failed.
   */
  async ask(id: string, prompt: string): Promise<TurnReply> {
    checkPrompt(prompt);
    // An untyped refusal can only be the prompt check of a workflow from before typed refusals.
    const options = { omitReply: true, omitReplyOver: ASK_INLINE_REPLY_MAX_BYTES };
    return runUpdateAtOnce(
      this.client,
      id,
      // A long reply is read from the turn: history then holds it once (see AskOptions.omitReply).
      async (handle) => turnReply(handle, await handle.executeUpdate(askUpdate, { args: [prompt, options] })),
      (err) => new ConvoError('InvalidPrompt', updateCause(err).message),
    );
  }

  /**
   * Changes the agent's options from the next turn that starts on (model, tools, permission mode, MCP servers,
   * limits): each field of `input` is a new value, or `null` to remove that option; fields left out stay. Raising
   * `maxCostUsd` lets a turn waiting on `BudgetExceeded` run.
   * @returns the new options revision (the turns that run with it record it).
   * @throws ConvoError `InvalidOptions` (does not parse, or the conversation's backend cannot honour it), `NotFound`,
   *   `Closed`.
   */
  async configure(id: string, input: ConfigureInput): Promise<number> {
    return runUpdate(this.client, id, (handle, description) => {
      const checked = checkConfigure(input, description.typedSearchAttributes.get(ConversationBackendKey));
      return handle.executeUpdate(configureUpdate, { args: [checked] });
    });
  }

  /**
   * Compacts the session now (the CLI's own compaction): queued like a turn, recorded as a turn of kind `compact`.
   * @returns its reply.
   * @throws ConvoError `NotFound`, `Closed`; TurnFailedError when the compaction ran and failed.
   */
  async compact(id: string): Promise<TurnReply> {
    return runUpdate(this.client, id, (handle) => handle.executeUpdate(compactUpdate));
  }

  /**
   * The conversation's session, ready to be written where its CLI continues it locally (see {@link sessionExport}).
   * @throws ConvoError `NotFound`, `NoWorker`, `InvalidOptions` (no turn has run yet).
   */
  async sessionExport(id: string): Promise<SessionExport> {
    const [state, transcript] = await Promise.all([this.state(id), this.transcript(id)]);
    return sessionExport(state, transcript);
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
   * The session transcript (the backend's JSONL text), read from history and the transcript store.
   * @throws ConvoError `NotFound`, `NoWorker`; TranscriptIntegrityError when a stored segment is missing or corrupt.
   */
  async transcript(id: string, timeoutMs = 10_000): Promise<string> {
    return (await this.transcriptBytes(id, timeoutMs)).toString('utf8');
  }

  /** The session transcript's bytes (see {@link transcript}). */
  private async transcriptBytes(id: string, timeoutMs = 10_000): Promise<Buffer> {
    const segments = await this.query(id, () => this.client.workflow.getHandle(id).query(transcriptQuery), timeoutMs);
    return readTranscriptSegments(createTranscriptStore(this.config), segments);
  }

  /**
   * The unified diff (`git diff`) of turn `options.turn` (1-based), or of the whole conversation: from its first
   * recorded turn's start to its last commit. Repo mode fetches the conversation's branch from the remote into a
   * temporary repository (`${VAR}` in the URL expanded from this process's environment); `--cwd` mode reads the
   * snapshots in the work tree's repository, which must be on this machine.
   * @returns the range compared and the diff text (empty, and no `to`, when nothing changed).
   * @throws ConvoError `NotFound`, `NoWorker`, `InvalidOptions` (no such turn, a turn not completed, a `${VAR}` not
   *   set here), `NoWorkspace` (no workspace recorded, or the `--cwd` repository is not on this machine), `GitFailed`.
   */
  async diff(id: string, options: DiffOptions = {}): Promise<ConversationDiff> {
    return conversationDiff(await this.state(id), options);
  }

  /**
   * Starts a new conversation that goes on from conversation `id` as it was after turn `options.at` (1-based; default
   * its latest completed turn): its transcript cut there, its workspace started at that turn's commit (repo mode: on
   * a branch of its own), the source's current options. The source is untouched.
   * @returns the new conversation's id.
   * @throws ConvoError `NotFound`, `NoWorker`, `InvalidOptions` (no such turn, not completed, from before transcript
   *   sizes were recorded, a later compaction replaced the transcript, the source's id given as the new one),
   *   `InvalidPrompt`, `AlreadyExists`.
   */
  async fork(id: string, options: ForkOptions = {}): Promise<string> {
    const [state, transcript] = await Promise.all([this.state(id), this.transcriptBytes(id)]);
    return forkConversation(this.client, this.config, state, transcript, options);
  }

  /**
   * Asks the conversation to finish after its queued turns.
   * @throws ConvoError `NotFound`, `Closed`.
   */
  async close(id: string): Promise<void> {
    const { handle } = await openConversation(this.client, id);
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
    const update = decision === 'resume' ? resumeUpdate : skipUpdate;
    const work = runUpdate(this.client, id, (handle) => handle.executeUpdate(update));
    await notWaitingAs(work, `conversation ${id} does not need attention`, () => this.state(id, 2_000));
  }

  /**
   * Approves the tool call the conversation waits on (status `needs_approval`): it runs, and the turn goes on.
   * `always` also allows the call's rule for the rest of the conversation. `by` is this process's `user@host`.
   * @returns the decision as recorded on the turn.
   * @throws ConvoError `NotWaiting` (no tool call waits, or a question does), `NotFound`, `Closed`.
   */
  async approve(id: string, options: { always?: boolean } = {}): Promise<ToolDecision> {
    const input = checkedInput(ApproveInput, { always: options.always, by: decidedBy() });
    const work = runUpdate(this.client, id, (handle) => handle.executeUpdate(approveUpdate, { args: [input] }));
    return notWaitingAs(work, `conversation ${id} has no tool call waiting for approval`, () => this.state(id, 2_000));
  }

  /**
   * Denies the tool call (or question) the conversation waits on: it does not run, and the model is told `reason`.
   * @returns the decision as recorded on the turn.
   * @throws ConvoError `NotWaiting`, `InvalidOptions` (a reason over 10000 characters), `NotFound`, `Closed`.
   */
  async deny(id: string, options: { reason?: string } = {}): Promise<ToolDecision> {
    const input = checkedInput(DenyInput, { reason: options.reason || undefined, by: decidedBy() });
    const work = runUpdate(this.client, id, (handle) => handle.executeUpdate(denyUpdate, { args: [input] }));
    return notWaitingAs(work, `conversation ${id} has no tool call waiting for approval`, () => this.state(id, 2_000));
  }

  /**
   * Answers the question the agent asked (`AskUserQuestion`): the model is given `text`.
   * @returns the decision as recorded on the turn.
   * @throws ConvoError `NotWaiting` (no question waits), `InvalidOptions` (empty text), `NotFound`, `Closed`.
   */
  async answer(id: string, text: string): Promise<ToolDecision> {
    const input = checkedInput(AnswerInput, { text, by: decidedBy() });
    const work = runUpdate(this.client, id, (handle) => handle.executeUpdate(answerUpdate, { args: [input] }));
    return notWaitingAs(work, `conversation ${id} has no question waiting for an answer`, () => this.state(id, 2_000));
  }

  /**
   * Conversations on this namespace, newest first, from Temporal's visibility store (the search attributes the
   * workflows keep up to date: no worker needs to answer). Visibility lags the workflows by up to a second or so.
   */
  async list(options: ListOptions = {}): Promise<ConversationSummary[]> {
    return listConversations(this.client, this.config.namespace, options);
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
    const turn = currentTurn(state);
    if (!turn) return { state };
    return { state, activity: turnActivity(turn, await pendingTurn(this.client, description)) };
  }

  /**
   * Follows the conversation's turns live, in order: `turn_started`, the running turn's text and thinking as the model
   * writes them, its tool calls and their results, then `turn_completed` with the reply (or `turn_failed`); see
   * {@link FollowEvent}. Read from the turn activity's heartbeat details (the workflow's description) and the `state`
   * query every `intervalMs` (default 250 ms): text reaches a follower about a second after the CLI printed it (the
   * worker sends heartbeats at most once a second). Every event carries a cursor: `follow(id, { after: cursor })` (on
   * any connection) goes on after it with nothing repeated or lost while the heartbeat window still holds the next
   * event; a `gap` event says how many were missed otherwise. A retried attempt (its events numbered anew) starts with
   * `run_started`. Runs until `signal` aborts or the conversation is closed and followed to its end; while no worker
   * answers the `state` query it keeps trying.
   * @throws ConvoError `NotFound` (from the iterator).
   */
  follow(id: string, options: FollowOptions = {}): AsyncIterable<FollowEvent> {
    const handle = this.client.workflow.getHandle(id);
    const read = async () => {
      const [description, state] = await Promise.all([
        handle.describe().catch((err: unknown) => this.rethrow(id, err)),
        this.state(id, 5_000),
      ]);
      const pending = await pendingTurn(this.client, description);
      return { state, progress: pending?.progress, lastFailure: pending?.lastFailure };
    };
    return followConversation(read, options, (err) => err instanceof ConvoError && err.code === 'NoWorker');
  }

  /**
   * Cancels the turn being worked on: a running turn's CLI is killed; a turn waiting for a usage limit's reset or
   * for attention stops waiting. The turn fails with type `Cancelled` and the conversation goes on.
   * @returns the cancelled turn's index (from 0).
   * @throws ConvoError `NotFound`, `Closed`, `NotRunning` (no turn is running or waiting).
   */
  async cancel(id: string): Promise<number> {
    const notRunning = `conversation ${id}: no turn is running or waiting`;
    // An untyped refusal: a workflow from before typed refusals, whose only cancel check is "no turn".
    return runUpdate(
      this.client,
      id,
      (handle) => handle.executeUpdate(cancelTurnUpdate),
      (err) => new ConvoError('NotRunning', `conversation ${id}: ${updateCause(err).message}`),
      { NotRunning: notRunning },
    );
  }

  /**
   * The conversation as a chat, per turn, read from its transcript with its backend's parser (see {@link transcriptToChat}).
   * @throws ConvoError `NotFound`, `NoWorker`; TranscriptIntegrityError as {@link transcript}.
   */
  async chat(id: string): Promise<ChatTurn[]> {
    const [jsonl, { backend }] = await Promise.all([this.transcript(id), this.state(id)]);
    return transcriptToChat(jsonl, backend);
  }

  private async query<T>(id: string, run: () => Promise<T>, timeoutMs: number): Promise<T> {
    try {
      return await this.connection.withDeadline(Date.now() + timeoutMs, run);
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        throw new ConvoError(
          'NoWorker',
          `conversation ${id} did not answer within ${timeoutMs / 1000} s: is a worker running on task queue ${this.config.taskQueue}?`,
        );
      }
      return this.rethrow(id, err);
    }
  }

  private async rethrow(id: string, err: unknown): Promise<never> {
    return missingOrClosed(this.client, id, err);
  }
}
