/**
 * One turn on the Claude Code backend: restore the transcript into a private config dir, run
 * `claude --print --output-format stream-json --verbose` with the prompt on stdin, heartbeat while it runs, classify
 * how it ended, and capture the transcript back.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { TurnInput, TurnProgress, TurnResult } from '../../common/conversation.js';
import { NON_RETRYABLE_ERROR_TYPES, type TurnFailureDetails } from '../../common/errors.js';
import { redactSecrets } from '../redact.js';
import { runChild, type ChildExit } from '../process.js';
import { classifyRun, type Classification } from './classify.js';
import { CLI_PGID_FILE, makeConfigDir, removeConfigDir, userClaudeConfig } from './config-dir.js';
import { emptySummary, summarize, type StreamSummary } from './stream-json.js';
import type { TranscriptStore } from '../../storage/transcript-store.js';
import { captureTranscript, readSegments, restoreTranscript, transcriptPath, type SegmentPolicy } from './transcript.js';

/** What the Claude Code backend needs from the worker. */
export interface ClaudeBackendDeps {
  /** Path of the `claude` binary. */
  claudePath: string;
  /** `CLAUDE_CODE_MAX_RETRIES` for the CLI: Temporal owns retries, so this stays small (default 0). */
  cliMaxRetries: number;
  /** Kill the CLI and fail the turn with `Hung` after this long without an event, ms. */
  hungAfterMs: number;
  /** Folder where private config dirs are made. */
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

/**
 * Runs one turn.
 * @throws ApplicationFailure with a `type` from `TURN_ERROR_TYPES` and {@link TurnFailureDetails} as `details[0]`:
 *   `CwdNotFound`, `CliNotFound`, `TranscriptInvalid`, `SessionNotFound`, `Authentication`, `Billing`,
 *   `InvalidRequest`, `UsageLimit` (non-retryable); `ServerError`, `MaxOutputTokens` (retried once), `Hung`, `Unknown`.
 * @throws CancelledFailure when the activity is cancelled (the CLI's process group is killed first).
 */
export async function runClaudeTurn(deps: ClaudeBackendDeps, input: TurnInput): Promise<TurnResult> {
  const ctx = Context.current();
  const { cwd } = input.options;
  await assertDirectory(cwd);
  await assertExecutable(deps.claudePath);

  const configDir = await makeConfigDir(deps.workDir, userClaudeConfig(deps.env));
  try {
    const path = transcriptPath(configDir, cwd, input.sessionId);
    const before = await readSegments(deps.store, input.transcript);
    await restoreTranscript(path, before);

    const summary = emptySummary();
    const started = Date.now();
    const stop = new AbortController();
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
      const progress: TurnProgress = {
        events: summary.events,
        toolCalls: summary.toolCalls.length,
        lastTool: summary.toolCalls.at(-1),
        lastToolInput: summary.lastToolInput && redactSecrets(summary.lastToolInput, deps.env),
        elapsedMs: Date.now() - started,
      };
      ctx.heartbeat(progress);
    };
    const onCancel = (): void => stop.abort();
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    const heartbeats = setInterval(beat, deps.heartbeatIntervalMs);
    armHungTimer();
    let exit: ChildExit;
    try {
      exit = await runChild(deps.claudePath, claudeArgs(input), {
        cwd,
        env: {
          ...deps.env,
          CLAUDE_CONFIG_DIR: configDir,
          CLAUDE_CODE_MAX_RETRIES: String(deps.cliMaxRetries),
          DISABLE_AUTOUPDATER: '1',
        },
        stdin: input.prompt,
        signal: stop.signal,
        // If this worker dies mid-turn, the next worker on this machine finds the CLI's group here and stops it.
        onSpawn: (pid) => void writeFile(join(configDir, CLI_PGID_FILE), String(pid)).catch(() => undefined),
        onLine: (line) => {
          summarize(summary, line);
          armHungTimer();
          beat();
        },
      });
    } finally {
      clearTimeout(hungTimer);
      clearInterval(heartbeats);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }

    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('turn cancelled; claude was killed');
    if (hung) {
      throw failure(
        { type: 'Hung', message: `claude printed no event for ${deps.hungAfterMs / 1000} s and was killed` },
        exit,
        summary,
        deps.env,
        ctx.info.attempt,
      );
    }
    if (exit.spawnError) {
      throw failure(
        { type: 'CliNotFound', message: `cannot run ${deps.claudePath}: ${exit.spawnError.message}` },
        exit,
        summary,
        deps.env,
        ctx.info.attempt,
      );
    }
    const classification = classifyRun(summary, exit, deps.now());
    if (classification) throw failure(classification, exit, summary, deps.env, ctx.info.attempt);

    const change = await captureTranscript(path, before, input.transcript, deps.store, input.conversationId, deps.segmentPolicy);
    if (!change) {
      throw ApplicationFailure.create({ type: 'Unknown', message: `claude reported success but wrote no transcript at ${path}` });
    }
    const result = summary.result!;
    return {
      reply: redactSecrets(result.result ?? '', deps.env),
      costUsd: result.total_cost_usd,
      usage: result.usage && {
        inputTokens: result.usage.input_tokens,
        outputTokens: result.usage.output_tokens,
        cacheCreationInputTokens: result.usage.cache_creation_input_tokens,
        cacheReadInputTokens: result.usage.cache_read_input_tokens,
      },
      durationMs: result.duration_ms,
      numTurns: result.num_turns,
      transcript: change,
    };
  } finally {
    await removeConfigDir(configDir);
  }
}

/** The CLI's arguments for a turn: `--session-id` on the first turn, `--resume` once there is a transcript. */
export function claudeArgs(input: TurnInput): string[] {
  const { options } = input;
  const args = ['--print', '--output-format', 'stream-json', '--verbose'];
  args.push(...(input.transcript.length > 0 ? ['--resume', input.sessionId] : ['--session-id', input.sessionId]));
  if (options.model) args.push('--model', options.model);
  if (options.systemPrompt) args.push('--system-prompt', options.systemPrompt);
  if (options.appendSystemPrompt) args.push('--append-system-prompt', options.appendSystemPrompt);
  if (options.permissionMode) args.push('--permission-mode', options.permissionMode);
  for (const tool of options.allowedTools ?? []) args.push('--allowedTools', tool);
  return args;
}

function failure(
  c: Classification,
  exit: ChildExit,
  summary: StreamSummary,
  env: NodeJS.ProcessEnv,
  attempt: number,
): ApplicationFailure {
  const details: TurnFailureDetails = {
    exitCode: exit.exitCode,
    signal: exit.signal,
    resultSubtype: summary.result?.subtype,
    apiErrorStatus: summary.result?.api_error_status,
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

async function assertExecutable(path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'CliNotFound',
      message: `claude binary not found or not executable at ${path} (${(err as NodeJS.ErrnoException).code}); set CLAUDE_PATH`,
      nonRetryable: true,
    });
  }
}
