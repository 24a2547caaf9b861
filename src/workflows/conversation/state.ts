/**
 * A conversation's state while its workflow runs: one object that the handlers, the turn loop and the Web UI
 * publishing read and change. Everything here is synchronous; the flows that wait (turn loop, usage-limit pause,
 * attention, visibility) live in the files named after them.
 */
import { uuid4, workflowInfo, type CancellationScope } from '@temporalio/workflow';
import {
  promptProblem,
  segmentBytes,
  type ConfigureInput,
  type Configuration,
  type ConversationOptions,
  type ConversationState,
  type TranscriptSegment,
  type TurnRecord,
} from '../../common/conversation.js';
import type { PendingToolCall, ToolDecision } from '../../common/approvals.js';
import { defaultBranch, type TurnWorkspace, type WorkspaceChange } from '../../common/workspace.js';
import type { RefusalType, TurnError } from '../../common/errors.js';
import type { AccountPause } from '../messages.js';
import { FULL_TURNS_KEPT, truncateTurn, type ConversationCarry } from './continue-as-new.js';
import type { WarmRoute } from './warm-route.js';

/** Why a request to the conversation is refused before anything runs: an update validator's failure. */
export interface Refusal {
  type: RefusalType;
  message: string;
}

/** A tool call the turn being worked on waits on (approval.ts), and the decision once a person (or the timeout) made it. */
export interface PendingWait {
  turn: TurnRecord;
  call: PendingToolCall;
  decision?: ToolDecision;
  /** The call's rule, when `approve --always` allowed it for the rest of the conversation. */
  allowedRule?: string;
}

/**
 * Where a conversation's workspace stands between turns. Repo mode: its last commit and a branch of the remote holding
 * it. `--cwd` mode: a fork's starting snapshot, to restore before its first turn (then forgotten).
 */
export interface WorkspaceHead {
  head?: string;
  headRef?: string;
  restore?: string;
}

/** A conversation's state: its turns, queue, transcript, account pause, and the turn being worked on. */
export class Conversation {
  /** The conversation id (= workflow id). */
  readonly id: string;
  /** The CLI's session id, the same across every turn and every run. */
  readonly sessionId: string;
  /** Every turn, by index; turns older than {@link FULL_TURNS_KEPT} keep only an excerpt. */
  readonly turns: TurnRecord[];
  /** Turns still to run, in arrival order; the first one is the one being worked on. */
  readonly queue: TurnRecord[];
  /** The session transcript: segments whose concatenation is the CLI's transcript file. */
  transcript: TranscriptSegment[];
  /** `close` was received: finish once the queued turns have run. */
  closing: boolean;
  /** The loop is over; the status is `closed`. */
  finished = false;
  /** The account's usage-limit pause, as this conversation last heard of it (may be over already). */
  pause: AccountPause | undefined;
  /** Turns an `ask` update is waiting on; continue-as-new waits until none is queued. */
  readonly awaited = new Set<TurnRecord>();
  /** The turn being worked on sleeps until the pause is over. */
  waitingOnPause = false;
  /** Why the turn being worked on waits for a person (credentials, billing). */
  attention: TurnError | undefined;
  /** What the person decided about the turn that needs attention. */
  decision: 'resume' | 'skip' | undefined;
  /** The tool call the turn being worked on waits on (`needs_approval` until it is decided). */
  pending: PendingWait | undefined;
  /** The turn being worked on (running, waiting out a usage limit, for attention or a decision) and its scope. */
  current: { turn: TurnRecord; scope: CancellationScope } | undefined;
  /** Turns run by this run of the workflow: a run continues as new only after at least one. */
  turnsThisRun = 0;
  /** The options in force: as started, then as `configure` changed them. A turn runs with those of its start. */
  options: ConversationOptions;
  /** The revision of {@link options}: 0 as started, one more per `configure`. */
  revision: number;
  /** Every `configure`, oldest first. */
  readonly configurations: Configuration[];
  /** Where the workspace stands (empty for a conversation without one). */
  workspace: WorkspaceHead;
  /** The warm session the last run left (a worker keeps the CLI alive for the next turn); undefined: none. */
  warm: WarmRoute | undefined;

  /**
   * @param options the validated set-up (this run's: the options current when the previous run continued as new).
   * @param carried the state of the previous run, when this run continues one as new (or an imported session).
   */
  constructor(options: ConversationOptions, carried?: ConversationCarry) {
    this.options = options;
    this.revision = carried?.optionsRevision ?? 0;
    this.configurations = carried?.configurations ?? [];
    this.id = workflowInfo().workflowId;
    this.sessionId = carried?.sessionId ?? uuid4();
    this.turns = carried?.turns ?? [];
    // Turns carried as running were interrupted by nothing (runs only end between turns): they are queued ones.
    this.queue = this.turns.filter((t) => t.status === 'queued' || t.status === 'running');
    this.transcript = carried?.transcript ?? [];
    this.closing = carried?.closing ?? false;
    this.pause = carried?.pause;
    this.workspace = carried?.workspace ?? startingWorkspace(options);
    this.warm = carried?.warm;
  }

  /** True while the account's pause lasts (workflow time). */
  paused(): boolean {
    return this.pause !== undefined && Date.parse(this.pause.until) > Date.now();
  }

  /** Where the conversation is: closed, waiting for a person, waiting out a usage limit, running, or idle. */
  status(): ConversationState['status'] {
    if (this.finished) return 'closed';
    if (this.attention) return 'needs_attention';
    if (this.waitsForDecision()) return 'needs_approval';
    if (this.waitingOnPause) return 'rate_limited';
    return this.queue.length > 0 || this.turns.some((t) => t.status === 'running') ? 'running' : 'idle';
  }

  /** What the `state` query returns. */
  state(): ConversationState {
    const { backend, account, cwd, title, model, repo, branch } = this.options;
    const paused = this.paused();
    return {
      id: this.id,
      status: this.status(),
      backend,
      account,
      cwd,
      ...(repo && { repo: { url: repo, branch: branch ?? defaultBranch(this.id), head: this.workspace.head } }),
      title,
      model,
      sessionId: this.sessionId,
      closing: this.closing,
      turns: this.turns,
      transcriptBytes: this.transcriptBytes(),
      rateLimitedUntil: paused ? this.pause!.until : undefined,
      rateLimitMessage: paused ? this.pause!.message : undefined,
      attention: this.attention,
      costUsd: this.costUsd(),
      options: this.options,
      configurations: this.configurations,
      pending: this.waitsForDecision() ? this.pending!.call : undefined,
    };
  }

  /** Size of the transcript, bytes. */
  transcriptBytes(): number {
    return this.transcript.reduce((n, s) => n + segmentBytes(s), 0);
  }

  /**
   * What a run of `turn` is told about the workspace (`TurnInput.workspace`); undefined when there is nothing to tell
   * (no workspace, or a `--cwd` one the worker finds by itself).
   * @param continues the run continues the turn after a paused tool call.
   */
  workspaceInput(turn: TurnRecord, continues: boolean): TurnWorkspace | undefined {
    const { head, headRef, restore } = this.workspace;
    if (!this.options.repo) return restore ? { head: restore } : undefined;
    const from = continues ? turn.workspace?.from : undefined;
    return { ...(head && { head }), ...(headRef && { headRef }), ...(from && { turnFrom: from }) };
  }

  /** Records what a run of `turn` did to the workspace: in the turn, and as where the next run starts. */
  workspaceChanged(turn: TurnRecord, change: WorkspaceChange): void {
    const { from, commit, files, head, headRef } = change;
    turn.workspace = { from: turn.workspace?.from ?? from, ...(commit && { commit }), files };
    this.workspace = this.options.repo ? { head, headRef } : {};
  }

  /** True while a tool call waits for a person's decision. */
  waitsForDecision(): boolean {
    return this.pending !== undefined && this.pending.decision === undefined;
  }

  /** What the conversation's turns (compactions included) cost so far, US dollars, as the CLI reported. */
  costUsd(): number {
    return this.turns.reduce((sum, t) => sum + (t.costUsd ?? 0), 0);
  }

  /**
   * Applies a `configure` (checked already): each option given is set, each `null` removed. From the next turn that
   * starts on. Returns the new revision, which is recorded with `changes` in {@link configurations}.
   */
  configure(changes: ConfigureInput): number {
    this.options = withChanges(this.options, changes);
    this.revision++;
    this.configurations.push({ revision: this.revision, at: new Date().toISOString(), changes });
    return this.revision;
  }

  /** Why a new turn with `prompt` is refused (`Closed`, `InvalidPrompt`), or undefined when it is welcome. */
  refusal(prompt: unknown): Refusal | undefined {
    if (this.closing) return { type: 'Closed', message: 'conversation is closed' };
    const problem = promptProblem(prompt);
    return problem ? { type: 'InvalidPrompt', message: problem } : undefined;
  }

  /** Queues a turn for `prompt` (checked already) and returns it. */
  enqueue(prompt: string): TurnRecord {
    const turn = this.record(prompt);
    this.queue.push(turn);
    return turn;
  }

  /**
   * Adds a compaction turn (kind `compact`, prompt `/compact`) at the end of {@link turns}, with the next index.
   * @param queued true to queue it like any turn (`compact` on demand); false when the turn being worked on runs it
   * itself, at once, before running again (after `ContextOverflow`).
   */
  addCompaction(queued: boolean): TurnRecord {
    const turn = this.record('/compact', 'compact');
    if (queued) this.queue.push(turn);
    return turn;
  }

  /** A new queued turn record at the end of {@link turns}; prompt turns keep the shape they always had (no kind). */
  private record(prompt: string, kind?: 'compact'): TurnRecord {
    const turn: TurnRecord = { index: this.turns.length, prompt, status: 'queued', queuedAt: new Date().toISOString() };
    if (kind) turn.kind = kind;
    this.turns.push(turn);
    return turn;
  }

  /** Adopts `next` when it ends later than the pause already known: pauses only ever grow. */
  extendPause(next: AccountPause): void {
    if (!this.pause || Date.parse(next.until) > Date.parse(this.pause.until)) this.pause = next;
  }

  /** True when a turn waits for `resume` or `skip` and none was decided yet. */
  needsAttention(): boolean {
    return this.attention !== undefined && this.decision === undefined;
  }

  /** True while an `ask` waits on a turn still queued. */
  askQueued(): boolean {
    return this.awaited.size > 0;
  }

  /** Forgets the turn at the head of the queue once it ended, and cuts the turn that fell out of the full ones. */
  turnEnded(turn: TurnRecord): void {
    this.awaited.delete(turn);
    this.cutOld(turn);
    this.queue.shift();
    this.turnsThisRun++;
  }

  /** Cuts the turn that fell out of the {@link FULL_TURNS_KEPT} latest when `turn` ended to an excerpt. */
  cutOld(turn: TurnRecord): void {
    const old = this.turns[turn.index - FULL_TURNS_KEPT];
    if (old) this.turns[old.index] = truncateTurn(old);
  }
}

/** Where a new conversation's workspace starts: a fork starts at its source's commit (repo) or snapshot (`--cwd`). */
function startingWorkspace(options: ConversationOptions): WorkspaceHead {
  const fork = options.forkOf;
  if (!fork?.commit) return {};
  return options.repo ? { head: fork.commit, headRef: fork.branch } : { restore: fork.commit };
}

/**
 * `options` with `changes` applied: each option given set, each `null` removed. A new object, not a change in place:
 * the inputs of turns already scheduled, and a turn that keeps the options it started with, keep the ones they had.
 */
export function withChanges(options: ConversationOptions, changes: ConfigureInput): ConversationOptions {
  const next: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as ConversationOptions;
}
