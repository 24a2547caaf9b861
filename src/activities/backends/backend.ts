/**
 * The backend plug-in interface. A backend is one CLI (Claude Code, opencode, …) in one folder under
 * `src/activities/backends/`, with the same file names for the same roles (`backend.ts` the plug-in, `settings.ts`,
 * `events.ts`, `classify.ts`, `transcript.ts`, `chat.ts`), registered with one line in `registry.ts`.
 *
 * A plug-in ({@link BackendPlugin}) reads its worker settings from the environment, describes itself in the worker's
 * start line, names the secrets to redact, recognises its CLI's orphaned processes, reads its transcript as a chat, and
 * makes the {@link TurnBackend} that runs turns. For a turn, the backend restores the session onto this worker and
 * plans the run ({@link TurnBackend.prepare}), reads the run's event stream ({@link EventStream}), classifies how the
 * run ended into the shared error types ({@link BackendTurn.classify}) and captures the session back
 * ({@link BackendTurn.capture}). Everything else is the shared turn machinery: see `../turn/run-turn.ts`.
 */
import { z } from 'zod';
import type { ChatEntry } from '../../common/chat.js';
import type { McpServers } from '../../common/agent-options.js';
import type {
  ConversationOptions,
  RunInput,
  TranscriptSegment,
  TurnProgress,
  TurnResult,
} from '../../common/conversation.js';
import type { TurnErrorType, TurnFailureDetails } from '../../common/errors.js';
import type { LiveItem } from '../../common/turn-events.js';
import type { ChildExit } from '../turn/process.js';
import type { WarmPool } from '../warm/pool.js';

/**
 * An approved tool call that ran, with its output (cut): kept in the turn activity's heartbeat details, so a retried
 * attempt of the turn does not run it again (see the Claude Code backend's `approvals.ts`).
 */
export const RanToolCall = z.object({ toolUseId: z.string(), output: z.string() });
export type RanToolCall = z.infer<typeof RanToolCall>;

/** The calls a turn's earlier attempt ran, from its last heartbeat details (`{ran: [...]}`); empty when none. */
export function ranToolCalls(heartbeatDetails: unknown): RanToolCall[] {
  const parsed = z.object({ ran: z.array(RanToolCall) }).safeParse(heartbeatDetails);
  return parsed.success ? parsed.data.ran : [];
}

/** A failed run: its type, the CLI's own message, and for usage limits the reset time. */
export interface Classification {
  type: TurnErrorType;
  message: string;
  resetsAt?: Date;
  resetSource?: 'rate_limit_event' | 'retry-after' | 'text';
  /** For retryable types: how long the API asked to wait, ms (becomes the activity's `nextRetryDelay`). */
  retryAfterMs?: number;
}

/** What the machinery tells a backend about the turn it prepares. */
export interface TurnContext {
  /** The turn's input, `options.cwd` the directory the CLI runs in (a `repo` conversation's checkout). */
  input: RunInput;
  /** The worker's whole environment: for the backend's own reading (where the worker user's config lives). */
  env: NodeJS.ProcessEnv;
  /**
   * The CLI's environment: the allow-list of `env` (see `../turn/cli-env.ts`): what any CLI needs, the backend's
   * {@link TurnBackend.envVars} and the names in `CONVO_CLI_ENV`; never Convo's own secrets.
   */
  cliEnv: NodeJS.ProcessEnv;
  /** The conversation's MCP servers with their `${VAR}` references expanded (secrets: only in 0600 files of `turnDir`). */
  mcpServers: McpServers;
  now: () => Date;
  /** This turn's private folder (under `CONVO_WORK_DIR`); deleted with everything in it after the turn. */
  turnDir: string;
  /**
   * Reads the transcript to restore (the concatenated segments, from history and the transcript store, checked), bytes;
   * empty on the first turn. Read once, when first asked: a turn on a live CLI that holds it already need not.
   */
  readTranscript(): Promise<Buffer>;
  /** Aborted when the turn is cancelled or stopped: helper processes of the backend end with it. */
  signal: AbortSignal;
  /** Approved calls an earlier attempt of this turn ran (from its heartbeat details): they must not run again. */
  ran: RanToolCall[];
  /** Ends the run now: the CLI's process group is killed and the turn fails with this classification. */
  stop: (classification: Classification) => void;
  /**
   * The worker's warm sessions (live CLI processes kept between turns, see `../warm/pool.ts`), for a backend whose CLI
   * can take turns on a live process; undefined when warm sessions are off.
   */
  warm?: WarmPool;
}

/** What the machinery gives {@link BackendTurn.run}. */
export interface RunHooks {
  /** Every stdout line of the run, in order. */
  onLine: (line: string) => void;
  /** Aborted when the run must end (cancelled, hung, stopped): the CLI's process group is killed. */
  signal: AbortSignal;
  /** Called with the pid (the process group id) of a CLI the run starts. */
  onSpawn: (pid: number) => void;
}

/** How to run the CLI for one turn (in the conversation's cwd, its own process group). */
export interface RunPlan {
  args: string[];
  /** The CLI's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Written to the CLI's stdin, which is then closed. */
  stdin: string;
  /** Read stdout through this file instead of a pipe (see `runChild`). */
  stdoutFile?: string;
  /** ms between SIGTERM and SIGKILL when the run is ended; default 5000. */
  killGraceMs?: number;
}

/** A run's stdout as the backend reads it, one line at a time, in order. */
export interface EventStream {
  /** Reads one stdout line. Returns true when it shows progress, which resets the hung bound. */
  push(line: string): boolean;
  /**
   * The live items (text and thinking chunks, tool calls, tool results) the lines pushed since the last call showed,
   * in order. The machinery numbers them, redacts them and keeps the latest in the heartbeat details.
   */
  takeLive?(): LiveItem[];
  /**
   * What the run has done so far: heartbeat details without `elapsedMs` (the machinery redacts `lastToolInput` and
   * the outputs of `ran`), and the approved calls that ran on this attempt or an earlier one.
   */
  progress(): Omit<TurnProgress, 'elapsedMs'> & { ran?: RanToolCall[] };
}

/** An event stream's {@link EventStream.progress} from what a backend's summary of the events holds. */
export function progressOf(summary: {
  events: number;
  toolCalls: string[];
  lastToolInput?: string;
}): Omit<TurnProgress, 'elapsedMs'> {
  return {
    events: summary.events,
    toolCalls: summary.toolCalls.length,
    lastTool: summary.toolCalls.at(-1),
    lastToolInput: summary.lastToolInput,
  };
}

/** One turn of a backend, from {@link TurnBackend.prepare}: the run plan, the stream reader, and what comes after. */
export interface BackendTurn {
  plan: RunPlan;
  stream: EventStream;
  /**
   * How the run ended. Undefined for a success. Called only when the CLI ran and was neither cancelled, hung, nor
   * stopped.
   * @param now the worker's clock, for reset times.
   */
  classify(exit: ChildExit, now: Date): Promise<Classification | undefined>;
  /** Backend-specific fields of the failure details (the exit, stderr and reset fields are added by the machinery). */
  failureDetails(): Pick<TurnFailureDetails, 'resultSubtype' | 'apiErrorStatus' | 'errorName'>;
  /**
   * Reads the session back after a successful run.
   * @returns the whole transcript now (the machinery turns it into a delta) and the turn's result fields.
   * @throws ApplicationFailure `Unknown` when the CLI left no session to capture.
   */
  capture(): Promise<{ transcript: Buffer; result: Omit<TurnResult, 'transcript'> }>;
  /** The `Hung` message for a run killed after `ms` without progress. */
  hungMessage(ms: number): string;
  /**
   * Runs the CLI for the turn (a live process of a warm session); resolves when the turn's run is over.
   * Default: spawn `binaryPath` with {@link RunPlan} and wait for it to exit.
   */
  run?(hooks: RunHooks): Promise<ChildExit>;
  /**
   * The transcript the run started from, when the backend read it itself (a live CLI's file, checked against the
   * conversation's); default: {@link TurnContext.readTranscript}'s. The machinery makes the delta against it.
   */
  before?: Buffer;
  /**
   * Releases what `prepare` started (servers, files outside the turn dir, a live CLI). Called once, after the turn.
   * @returns `keepTurnDir: true` when the turn dir now belongs to a kept live CLI (the machinery leaves it).
   */
  close?(outcome: TurnOutcome): Promise<{ keepTurnDir?: boolean } | void>;
}

/** How a turn ended, for {@link BackendTurn.close}. */
export interface TurnOutcome {
  /** The turn completed (its result is returned): a live CLI may then be kept for the next turn. */
  completed: boolean;
  /** When it completed: the conversation's transcript after it, as the workflow will hold it. */
  transcript?: TranscriptSegment[];
}

/** A CLI backend, as the turn machinery runs it. */
export interface TurnBackend {
  /** The CLI's name in messages, e.g. `claude`. */
  readonly name: string;
  /** Path of the CLI binary. */
  readonly binaryPath: string;
  /** The variable that sets {@link binaryPath}, named in `CliNotFound` messages. */
  readonly binaryEnvVar: string;
  /**
   * The worker variables the CLI gets besides what every CLI needs: its provider credentials and settings (`PREFIX*`
   * for every variable with that prefix).
   */
  readonly envVars: readonly string[];
  /** See {@link BackendPlugin.optionsProblem}; the turn refuses such options with a non-retryable `InvalidRequest`. */
  optionsProblem?(options: ConversationOptions): string | undefined;
  /**
   * Restores the session onto this worker (inside `ctx.turnDir`) and plans the run.
   * @throws ApplicationFailure `TranscriptInvalid` or `SessionNotFound` when the transcript cannot be restored.
   */
  prepare(ctx: TurnContext): Promise<BackendTurn>;
}

/**
 * A backend plug-in: everything Convo knows about one CLI. `S` is its worker settings.
 * Listed once in `registry.ts`; nothing outside its folder names the backend.
 */
export interface BackendPlugin<S = unknown> {
  /** The backend's name in `ConversationOptions.backend` (lower case, e.g. `claude`). */
  readonly name: string;
  /** Environment variables whose values are secrets (its provider keys and tokens): redacted from what Convo stores. */
  readonly secretEnvVars: readonly string[];
  /**
   * Reads the worker's settings for this backend (binary path, model, …) from `env`.
   * @throws ConfigError naming the variable that does not parse.
   */
  loadSettings(env: NodeJS.ProcessEnv): S;
  /**
   * Why this backend cannot honour `options`, on one line naming the option (e.g. `opencode has no equivalent of
   * --json-schema (jsonSchema)`); undefined when it can. The client asks before `start` and `configure`; a turn asks
   * again (for clients that do not) and fails with a non-retryable `InvalidRequest`.
   */
  optionsProblem?(options: ConversationOptions): string | undefined;
  /** One line for the worker's start message, e.g. `claude at /usr/bin/claude`. */
  describe(settings: S): string;
  /** The backend that runs turns with these settings. */
  turnBackend(settings: S): TurnBackend;
  /**
   * Whether a process's command line (`/proc/<pid>/cmdline`, NUL-separated) is this backend's CLI: a starting worker
   * kills the process group of such a CLI its dead predecessor left running.
   */
  isCliProcess(cmdline: string): boolean;
  /**
   * The chat entries of one line of this backend's transcript (for `convo history`).
   * @returns undefined when the line is not one of its messages (not JSON, bookkeeping, another backend's).
   */
  chatEntries(line: string): ChatEntry[] | undefined;
}
