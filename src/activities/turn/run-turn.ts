/**
 * The turn machinery every backend shares: runs one turn of a conversation on a backend plug-in's {@link TurnBackend}.
 *
 * The same for every backend: the cwd and binary checks, the private turn dir, reading the transcript segments,
 * running the CLI in its own process group, heartbeats with {@link TurnProgress} (with the live events of the run: text
 * and thinking as they are written, tool calls and results, see `./live-window.ts`), the hung bound, cancellation (the
 * process group is killed, then `CancelledFailure`), failures as `ApplicationFailure`s typed from `TURN_ERROR_TYPES`
 * with {@link TurnFailureDetails}, secret redaction, and the transcript change (delta or whole, inline or
 * claim-checked). What differs per CLI sits behind the interface in `../backends/backend.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { RunInput, TranscriptSegment, TurnInput, TurnProgress, TurnResult } from '../../common/conversation.js';
import type { TranscriptStore } from '../../storage/transcript-store.js';
import {
  ranToolCalls,
  type BackendTurn,
  type Classification,
  type RunHooks,
  type TurnBackend,
} from '../backends/backend.js';
import { cliEnv } from './cli-env.js';
import { assertDirectory, assertExecutable, assertRunnable, failure } from './turn-checks.js';
import { expandMcpServers } from './mcp-servers.js';
import { runChild, type ChildExit } from './process.js';
import { LiveWindow } from './live-window.js';
import { redactSecrets, secretValues } from './redact.js';
import { readSegments, transcriptChange, type SegmentPolicy } from './transcript-segments.js';
import { CLI_PGID_FILE, makeTurnDir, removeTurnDir } from './turn-dir.js';
import { openWorkspace } from '../workspace/open.js';
import type { OpenWorkspace, WorkspaceSettings } from '../workspace/workspace.js';
import type { WarmPool } from '../warm/pool.js';

/** Least time between two heartbeats caused by stdout lines, ms. */
const LINE_BEAT_MS = 100;

/** What the shared machinery needs from the worker, whatever the backend. */
export interface TurnDeps {
  /** Kill the CLI and fail the turn with `Hung` after this long without progress, ms. */
  hungAfterMs: number;
  /** Folder where private turn dirs are made. */
  workDir: string;
  /** How often to heartbeat while the CLI is quiet, ms. */
  heartbeatIntervalMs: number;
  /**
   * The worker's environment: the CLI gets an allow-list of it (see `./cli-env.ts`), MCP configs' `${VAR}` references
   * are expanded from it, secrets are redacted with it.
   */
  env: NodeJS.ProcessEnv;
  /** Names of the variables of `env` whose values are redacted (`PREFIX*` for a prefix): every backend's
   * (`secretEnvVars()` of the registry) and Convo's own (`CONVO_SECRET_ENV`). */
  secretEnvVars: readonly string[];
  /** More variables the CLI gets (`CONVO_CLI_ENV`); Convo's own secrets never, whatever this says. */
  cliEnvNames?: readonly string[];
  now: () => Date;
  /** Where transcript segments too large for history live. */
  store: TranscriptStore;
  /** What stays inline in history. */
  segmentPolicy: SegmentPolicy;
  /** Where repo-mode checkouts and the clone cache live, and their bound. */
  workspaces: WorkspaceSettings;
  /** The worker's warm sessions (live CLIs kept between turns); undefined: none. */
  warm?: WarmPool;
}

/**
 * Runs one turn on `backend`.
 * @throws ApplicationFailure with a `type` from `TURN_ERROR_TYPES` and {@link TurnFailureDetails} as `details[0]`:
 *   `CwdNotFound`, `CliNotFound`, `TranscriptInvalid`, `SessionNotFound`, `Authentication`, `Billing`,
 *   `InvalidRequest` (also options the backend cannot honour, a compaction with no session, an MCP config naming a
 *   variable the worker lacks), `ContextOverflow`, `UsageLimit` (non-retryable); `ServerError`, `MaxOutputTokens`
 *   (retried once), `Hung`, `Unknown`.
 * @throws CancelledFailure when the activity is cancelled (the CLI's process group is killed first).
 */
export async function runBackendTurn(backend: TurnBackend, deps: TurnDeps, turnInput: TurnInput): Promise<TurnResult> {
  const ctx = Context.current();
  if (turnInput.options.cwd) await assertDirectory(turnInput.options.cwd);
  await assertExecutable(backend);
  assertRunnable(backend, turnInput);
  const mcp = expandMcpServers(turnInput.options.mcpServers, deps.env);
  const redact = (text: string): string => redactSecrets(text, deps.env, deps.secretEnvVars, mcp.values);

  const workspaceStop = new AbortController();
  const onWorkspaceCancel = (): void => workspaceStop.abort();
  ctx.cancellationSignal.addEventListener('abort', onWorkspaceCancel, { once: true });
  let workspace: OpenWorkspace | undefined;
  try {
    workspace = await openWorkspace(
      {
        conversationId: turnInput.conversationId,
        turnIndex: turnInput.turnIndex,
        prompt: turnInput.prompt,
        options: turnInput.options,
        workspace: turnInput.workspace,
        env: deps.env,
        signal: workspaceStop.signal,
      },
      deps.workspaces,
    );
  } catch (err) {
    ctx.cancellationSignal.removeEventListener('abort', onWorkspaceCancel);
    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('turn cancelled while its workspace was made');
    throw err;
  }
  const cwd = workspace?.cwd ?? turnInput.options.cwd!;
  const input: RunInput = { ...turnInput, options: { ...turnInput.options, cwd } };

  const turnDir = await makeTurnDir(deps.workDir).catch(async (err: unknown) => {
    await workspace?.release();
    throw err;
  });
  const stop = new AbortController();
  let stopped: Classification | undefined;
  const onCancel = (): void => stop.abort();
  ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  const cancelled = (): CancelledFailure => new CancelledFailure(`turn cancelled; ${backend.name} was killed`);
  let turn: BackendTurn | undefined;
  // Set once the turn completed: the transcript the workflow will hold.
  let after: TranscriptSegment[] | undefined;
  try {
    let reading: Promise<Buffer> | undefined;
    const readBefore = (): Promise<Buffer> => (reading ??= readSegments(deps.store, input.transcript));
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
        cliEnv: cliEnv(deps.env, backend.envVars, deps.cliEnvNames ?? []),
        mcpServers: mcp.servers,
        now: deps.now,
        turnDir,
        readTranscript: readBefore,
        signal: stop.signal,
        ran: ranToolCalls(ctx.info.heartbeatDetails),
        stop: (classification) => {
          stopped ??= classification;
          stop.abort();
        },
        warm: deps.warm,
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
    // The live events of this attempt (text, thinking, tool calls and results), redacted, the latest within 32 KB.
    const live = new LiveWindow(secretValues(deps.env, deps.secretEnvVars, mcp.values), redact);
    const run = {
      turnIndex: input.turnIndex,
      activityId: ctx.info.activityId,
      attempt: ctx.info.attempt,
      ...(input.continues && { continued: true as const }),
    };
    // A line that shows something new beats, at most once per LINE_BEAT_MS: the worker sends the latest details at
    // most once a second anyway, and each beat encodes the details (up to 32 KB of live events) through the codec.
    let beatTimer: NodeJS.Timeout | undefined;
    let lastBeat = 0;
    /** The tool calls and approved calls that ran, as of the last line (a change beats at once). */
    const shownOf = ({ toolCalls, ran }: ReturnType<typeof stream.progress>): string =>
      `${toolCalls} ${ran?.length ?? 0}`;
    let lastShown = shownOf(stream.progress());
    const beat = (): void => {
      clearTimeout(beatTimer);
      beatTimer = undefined;
      lastBeat = Date.now();
      const { ran, ...p } = stream.progress();
      const text = live.latestText();
      const events = live.events();
      const progress: TurnProgress & { ran?: typeof ran } = {
        ...p,
        lastToolInput: p.lastToolInput && redact(p.lastToolInput),
        elapsedMs: Date.now() - started,
        ...run,
        ...(text !== undefined && { text }),
        ...(events.length > 0 && { live: events }),
        // The output of an approved call that ran, for a retried attempt: it must not run twice.
        ...(ran?.length && { ran: ran.map((r) => ({ toolUseId: r.toolUseId, output: redact(r.output) })) }),
      };
      ctx.heartbeat(progress);
    };
    const beatSoon = (): void => {
      if (beatTimer) return;
      const wait = lastBeat + LINE_BEAT_MS - Date.now();
      if (wait <= 0) beat();
      else beatTimer = setTimeout(beat, wait);
    };
    const heartbeats = setInterval(beat, deps.heartbeatIntervalMs);
    armHungTimer();
    let exit: ChildExit;
    try {
      const hooks: RunHooks = {
        signal: stop.signal,
        // If this worker dies mid-turn, the next worker on this machine finds the CLI's group here and stops it.
        onSpawn: (pid) => void writeFile(join(turnDir, CLI_PGID_FILE), String(pid)).catch(() => undefined),
        onLine: (line) => {
          if (stream.push(line)) armHungTimer();
          const items = stream.takeLive?.() ?? [];
          for (const item of items) live.add(item);
          // A line that shows nothing new (Claude Code's status lines, the stream's message and block starts) waits for
          // the periodic beat: the worker sends at most one heartbeat a second, and one spent on such a line would
          // hold back the text that follows it by up to that second.
          const shown = shownOf(stream.progress());
          if (!stream.takeLive || items.length > 0 || shown !== lastShown) beatSoon();
          lastShown = shown;
        },
      };
      exit = turn.run
        ? await turn.run(hooks)
        : await runChild(backend.binaryPath, plan.args, {
            cwd,
            env: plan.env,
            stdin: plan.stdin,
            stdoutFile: plan.stdoutFile,
            killGraceMs: plan.killGraceMs,
            ...hooks,
          });
    } finally {
      clearTimeout(hungTimer);
      clearInterval(heartbeats);
      live.flush();
      beat();
      clearTimeout(beatTimer);
    }

    const fail = (c: Classification): ApplicationFailure => failure(c, exit, turn!, redact, ctx.info.attempt);
    if (ctx.cancellationSignal.aborted) throw cancelled();
    if (hung) throw fail({ type: 'Hung', message: turn.hungMessage(deps.hungAfterMs) });
    if (exit.spawnError) {
      throw fail({ type: 'CliNotFound', message: `cannot run ${backend.binaryPath}: ${exit.spawnError.message}` });
    }
    if (stopped) throw fail(stopped);
    const classification = await unlessCancelled(() => turn!.classify(exit, deps.now()));
    if (classification) throw fail(classification);

    const captured = await unlessCancelled(() => turn!.capture());
    const before = turn.before ?? (await readBefore());
    // After the CLI succeeded: a failed run saves nothing, and the next run starts from where this one did.
    const change = workspace && (await unlessCancelled(() => workspace.save({ paused: !!captured.result.pending })));
    const transcript = await transcriptChange(
      captured.transcript,
      before,
      input.transcript,
      deps.store,
      input.conversationId,
      deps.segmentPolicy,
    );
    const { denials, structured, pending } = captured.result;
    after = transcript.mode === 'append' ? [...input.transcript, ...transcript.segments] : transcript.segments;
    return {
      ...captured.result,
      ...(pending && {
        pending: {
          ...pending,
          summary: redact(pending.summary),
          input: JSON.parse(redact(JSON.stringify(pending.input ?? null))) as unknown,
        },
      }),
      reply: redact(captured.result.reply),
      ...(denials && { denials: denials.map((d) => ({ tool: d.tool, input: redact(d.input) })) }),
      ...(structured !== undefined && { structured: JSON.parse(redact(JSON.stringify(structured))) as unknown }),
      transcript,
      ...(change && { workspace: change }),
    };
  } finally {
    ctx.cancellationSignal.removeEventListener('abort', onCancel);
    ctx.cancellationSignal.removeEventListener('abort', onWorkspaceCancel);
    const closed = await turn?.close?.({ completed: !!after, transcript: after }).catch(() => undefined);
    // A live CLI kept for the next turn (a warm session) keeps its dir; the pool removes it when the CLI ends.
    if (!closed?.keepTurnDir) await removeTurnDir(turnDir);
    await workspace?.release();
  }
}
