/**
 * The backend interface, and the turn machinery every backend shares.
 *
 * A backend is one CLI (Claude Code, opencode, …) in one folder under `src/activities/`, registered once in
 * `backends.ts`. For a turn it says how to restore the session onto this worker and how to run the CLI
 * ({@link TurnBackend.prepare}), reads the run's event stream ({@link EventStream}), classifies how the run ended into
 * the shared error types ({@link BackendTurn.classify}) and captures the session back ({@link BackendTurn.capture}).
 *
 * Everything else is here, the same for every backend: the cwd and binary checks, the private turn dir, reading the
 * transcript segments, running the CLI in its own process group, heartbeats with {@link TurnProgress}, the hung
 * bound, cancellation (the process group is killed, then `CancelledFailure`), failures as `ApplicationFailure`s typed
 * from `TURN_ERROR_TYPES` with {@link TurnFailureDetails}, secret redaction, and the transcript change (delta or
 * whole, inline or claim-checked).
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { TurnInput, TurnProgress, TurnResult } from '../common/conversation.js';
import { NON_RETRYABLE_ERROR_TYPES, type TurnErrorType, type TurnFailureDetails } from '../common/errors.js';
import type { TranscriptStore } from '../storage/transcript-store.js';
import { runChild, type ChildExit } from './process.js';
import { redactSecrets } from './redact.js';
import { readSegments, transcriptChange, type SegmentPolicy } from './transcript.js';
import { CLI_PGID_FILE, makeTurnDir, removeTurnDir } from './turn-dir.js';

/** What the shared machinery needs from the worker, whatever the backend. */
export interface BackendDeps {
  /** Kill the CLI and fail the turn with `Hung` after this long without progress, ms. */
  hungAfterMs: number;
  /** Folder where private turn dirs are made. */
  workDir: string;
  /** How often to heartbeat while the CLI is quiet, ms. */
  heartbeatIntervalMs: number;
  /** The worker's environment: passed to the CLI (credentials, base URL) and used to redact secrets. */
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Where transcript segments too large for history live. */
  store: TranscriptStore;
  /** What stays inline in history. */
  segmentPolicy: SegmentPolicy;
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
  input: TurnInput;
  /** The worker's environment (see {@link BackendDeps.env}). */
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** This turn's private folder (under `CONVO_WORK_DIR`); deleted with everything in it after the turn. */
  turnDir: string;
  /** The transcript to restore (the concatenated segments), bytes; empty on the first turn. */
  transcript: Buffer;
  /** Aborted when the turn is cancelled or stopped: helper processes of the backend end with it. */
  signal: AbortSignal;
  /** Ends the run now: the CLI's process group is killed and the turn fails with this classification. */
  stop: (classification: Classification) => void;
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
  /** What the run has done so far (heartbeat details without `elapsedMs`; `lastToolInput` is redacted here). */
  progress(): Omit<TurnProgress, 'elapsedMs'>;
}

/** An event stream's {@link EventStream.progress} from what a backend's summary of the events holds. */
export function progressOf(summary: { events: number; toolCalls: string[]; lastToolInput?: string }): Omit<TurnProgress, 'elapsedMs'> {
  return { events: summary.events, toolCalls: summary.toolCalls.length, lastTool: summary.toolCalls.at(-1), lastToolInput: summary.lastToolInput };
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
  /** Releases what `prepare` started (servers, files outside the turn dir). Called once, after the turn. */
  close?(): Promise<void>;
}

/** A CLI backend. */
export interface TurnBackend {
  /** The CLI's name in messages, e.g. `claude`. */
  readonly name: string;
  /** Path of the CLI binary. */
  readonly binaryPath: string;
  /** The variable that sets {@link binaryPath}, named in `CliNotFound` messages. */
  readonly binaryEnvVar: string;
  /**
   * Restores the session onto this worker (inside `ctx.turnDir`) and plans the run.
   * @throws ApplicationFailure `TranscriptInvalid` or `SessionNotFound` when the transcript cannot be restored.
   */
  prepare(ctx: TurnContext): Promise<BackendTurn>;
}

/**
 * Runs one turn on `backend`.
 * @throws ApplicationFailure with a `type` from `TURN_ERROR_TYPES` and {@link TurnFailureDetails} as `details[0]`:
 *   `CwdNotFound`, `CliNotFound`, `TranscriptInvalid`, `SessionNotFound`, `Authentication`, `Billing`,
 *   `InvalidRequest`, `UsageLimit` (non-retryable); `ServerError`, `MaxOutputTokens` (retried once), `Hung`, `Unknown`.
 * @throws CancelledFailure when the activity is cancelled (the CLI's process group is killed first).
 */
export async function runBackendTurn(backend: TurnBackend, deps: BackendDeps, input: TurnInput): Promise<TurnResult> {
  const ctx = Context.current();
  const { cwd } = input.options;
  await assertDirectory(cwd);
  await assertExecutable(backend);

  const turnDir = await makeTurnDir(deps.workDir);
  const stop = new AbortController();
  let stopped: Classification | undefined;
  const onCancel = (): void => stop.abort();
  ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  const cancelled = (): CancelledFailure => new CancelledFailure(`turn cancelled; ${backend.name} was killed`);
  let turn: BackendTurn | undefined;
  try {
    const before = await readSegments(deps.store, input.transcript);
    // A helper process the backend runs before or after the CLI (restore, capture) ends with the cancellation too;
    // what it then raises is the cancellation.
    const unlessCancelled = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw cancelled();
        throw err;
      }
    };
    turn = await unlessCancelled(() =>
      backend.prepare({
        input,
        env: deps.env,
        now: deps.now,
        turnDir,
        transcript: before,
        signal: stop.signal,
        stop: (classification) => {
          stopped ??= classification;
          stop.abort();
        },
      }),
    );

    const { plan, stream } = turn;
    const started = Date.now();
    let hung = false;
    let hungTimer: NodeJS.Timeout | undefined;
    const armHungTimer = (): void => {
      clearTimeout(hungTimer);
      hungTimer = setTimeout(() => {
        hung = true;
        stop.abort();
      }, deps.hungAfterMs);
    };
    const beat = (): void => {
      const p = stream.progress();
      const progress: TurnProgress = {
        ...p,
        lastToolInput: p.lastToolInput && redactSecrets(p.lastToolInput, deps.env),
        elapsedMs: Date.now() - started,
      };
      ctx.heartbeat(progress);
    };
    const heartbeats = setInterval(beat, deps.heartbeatIntervalMs);
    armHungTimer();
    let exit: ChildExit;
    try {
      exit = await runChild(backend.binaryPath, plan.args, {
        cwd,
        env: plan.env,
        stdin: plan.stdin,
        stdoutFile: plan.stdoutFile,
        killGraceMs: plan.killGraceMs,
        signal: stop.signal,
        // If this worker dies mid-turn, the next worker on this machine finds the CLI's group here and stops it.
        onSpawn: (pid) => void writeFile(join(turnDir, CLI_PGID_FILE), String(pid)).catch(() => undefined),
        onLine: (line) => {
          if (stream.push(line)) armHungTimer();
          beat();
        },
      });
    } finally {
      clearTimeout(hungTimer);
      clearInterval(heartbeats);
    }

    const fail = (c: Classification): ApplicationFailure => failure(c, exit, turn!, deps.env, ctx.info.attempt);
    if (ctx.cancellationSignal.aborted) throw cancelled();
    if (hung) throw fail({ type: 'Hung', message: turn.hungMessage(deps.hungAfterMs) });
    if (exit.spawnError) {
      throw fail({ type: 'CliNotFound', message: `cannot run ${backend.binaryPath}: ${exit.spawnError.message}` });
    }
    if (stopped) throw fail(stopped);
    const classification = await unlessCancelled(() => turn!.classify(exit, deps.now()));
    if (classification) throw fail(classification);

    const captured = await unlessCancelled(() => turn!.capture());
    const change = await transcriptChange(captured.transcript, before, input.transcript, deps.store, input.conversationId, deps.segmentPolicy);
    return { ...captured.result, reply: redactSecrets(captured.result.reply, deps.env), transcript: change };
  } finally {
    ctx.cancellationSignal.removeEventListener('abort', onCancel);
    await turn?.close?.().catch(() => undefined);
    await removeTurnDir(turnDir);
  }
}

function failure(c: Classification, exit: ChildExit, turn: BackendTurn, env: NodeJS.ProcessEnv, attempt: number): ApplicationFailure {
  const details: TurnFailureDetails = {
    exitCode: exit.exitCode,
    signal: exit.signal,
    ...turn.failureDetails(),
    stderrTail: redactSecrets(exit.stderrTail, env) || undefined,
    resetsAt: c.resetsAt?.toISOString(),
    resetSource: c.resetSource,
  };
  // A reply cut at the output token maximum may come out shorter on a second try, but not on a third.
  const nonRetryable = NON_RETRYABLE_ERROR_TYPES.includes(c.type) || (c.type === 'MaxOutputTokens' && attempt >= 2);
  return ApplicationFailure.create({
    type: c.type,
    message: redactSecrets(c.message, env),
    nonRetryable,
    details: [details],
    nextRetryDelay: c.retryAfterMs,
  });
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.create({
      type: 'CwdNotFound',
      message: `working directory ${cwd} does not exist on this worker`,
      nonRetryable: true,
    });
  }
}

async function assertExecutable(backend: TurnBackend): Promise<void> {
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
