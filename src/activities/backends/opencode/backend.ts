/**
 * The opencode backend (`opencode-ai`, provider-agnostic): each turn runs in a private `XDG_DATA_HOME` (opencode's
 * SQLite session store) inside the turn dir.
 * - restore: the transcript becomes the session export again and `opencode import <file>` brings the session in;
 * - run: `opencode run --format json` (with `--session <ses_…>` after the first turn), the prompt on stdin, stdout
 *   read through a file, the worker's config file in `OPENCODE_CONFIG` and project config off
 *   (`OPENCODE_DISABLE_PROJECT_CONFIG=1`), model calls through the relay (see `relay.ts`);
 * - capture: `opencode export <ses_…>` (through a file), kept as the transcript (see `transcript.ts`).
 * Every run is bounded: no progress for `CONVO_HUNG_AFTER_S`, or {@link MAX_EMPTY_STEPS} empty model calls in a row
 * (opencode's loop on a reply it cannot read), ends it with `Hung`; the process group gets SIGTERM, then SIGKILL after
 * {@link KILL_GRACE_MS} (opencode has been seen to ignore SIGTERM while looping).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { TurnResult } from '../../../common/conversation.js';
import { oneLine } from '../../../common/text.js';
import type { LiveItem } from '../../../common/turn-events.js';
import { runChild, type ChildExit } from '../../turn/process.js';
import { progressOf, type BackendPlugin, type BackendTurn, type TurnBackend, type TurnContext } from '../backend.js';
import { retryableStatus } from '../http-status.js';
import { chatEntries } from './chat.js';
import {
  apiFailureOf,
  apiFailureOfRelayed,
  classifyApiFailure,
  classifyRun,
  isContextOverflow,
  stripAnsi,
} from './classify.js';
import { linkUserLogin, opencodeEnv } from './data-dir.js';
import { emptySummary, opencodeReply, summarize } from './events.js';
import { startApiRelay, type ApiRelay } from './relay.js';
import { hideVars } from '../../turn/mcp-servers.js';
import { opencodeConfig, opencodeOptionsProblem, opencodePermission, runArgs } from './run-config.js';
import { loadSettings, type OpencodeSettings } from './settings.js';
import { lastAssistantError, parseExport, renderTranscript, restoreSession } from './transcript.js';

/** Empty model calls in a row after which a run counts as looping and is ended with `Hung`. */
export const MAX_EMPTY_STEPS = 25;
/** ms between SIGTERM and SIGKILL when a run is ended. */
export const KILL_GRACE_MS = 2_000;
/** Bound on `opencode import` and `opencode export`, ms. */
export const HELPER_TIMEOUT_MS = 120_000;

/** The provider keys opencode reads most often: secrets, passed to opencode and kept from its MCP servers. */
const PROVIDER_KEYS = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
];

/**
 * What opencode reads from the worker's environment besides what every CLI needs: the provider keys, its own
 * settings (`OPENCODE_*`; `opencodeEnv` drops those that would point it at other sessions or config) and the XDG
 * folders of the worker user's global config and caches (its data folder is the turn's own). Another provider's key
 * goes through `CONVO_CLI_ENV`.
 */
export const OPENCODE_ENV_VARS: readonly string[] = [
  ...PROVIDER_KEYS,
  'OPENCODE_*',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
];

/**
 * The opencode plug-in. Its secrets are the provider keys opencode reads most often; its CLI is recognised by the
 * binary's file name (a worker's own path may contain "opencode").
 */
export const plugin: BackendPlugin<OpencodeSettings> = {
  name: 'opencode',
  secretEnvVars: PROVIDER_KEYS,
  optionsProblem: opencodeOptionsProblem,
  loadSettings,
  describe: (settings) => `opencode at ${settings.path} (${settings.model})`,
  turnBackend,
  isCliProcess: (cmdline) => /(^|\/)opencode[^/]*$/.test(cmdline.split('\0')[0] ?? ''),
  chatEntries,
};

/** The opencode backend for turns, with the worker's settings. */
export function turnBackend(settings: OpencodeSettings): TurnBackend {
  return {
    name: 'opencode',
    binaryPath: settings.path,
    binaryEnvVar: 'OPENCODE_PATH',
    envVars: OPENCODE_ENV_VARS,
    optionsProblem: opencodeOptionsProblem,
    prepare: (ctx) => prepareTurn(settings, ctx),
  };
}

async function prepareTurn(settings: OpencodeSettings, ctx: TurnContext): Promise<BackendTurn> {
  const { input, turnDir } = ctx;
  const { options } = input;
  if (input.kind === 'compact') {
    // `opencode run --command compact` fails ("Unexpected server error", 1.18.33): compaction is the TUI's and the
    // server's (`session.summarize`), not `run`'s. opencode compacts by itself when the context overflows.
    throw ApplicationFailure.create({
      type: 'InvalidRequest',
      message: 'opencode cannot compact a session on demand (it compacts by itself when the context overflows)',
      nonRetryable: true,
    });
  }
  const transcript = await ctx.readTranscript();
  const restored = transcript.length > 0 ? restoreSession(transcript) : undefined;

  // Model calls go through the relay, which ends the run at the first failure opencode would retry itself (unless
  // CONVO_CLI_MAX_RETRIES allows some): Temporal owns retries, and a 429 starts its durable wait at once.
  let relay: ApiRelay | undefined;
  let retryableFailures = 0;
  let overflows = 0;
  if (settings.relay && settings.baseUrl) {
    relay = await startApiRelay(settings.baseUrl, (failure) => {
      // opencode answers a context overflow by compacting and trying again, and again: one compaction may cure it, a
      // second overflow ends the run (it would loop, compacting, for as long as the model overflows).
      if (failure.mainLoop && isContextOverflow(failure) && ++overflows > 1) {
        ctx.stop(classifyApiFailure(apiFailureOfRelayed(failure), ctx.now()));
      }
      if (!failure.mainLoop || !retryableStatus(failure.status)) return;
      if (++retryableFailures > settings.cliMaxRetries)
        ctx.stop(classifyApiFailure(apiFailureOfRelayed(failure), ctx.now()));
    });
  }
  try {
    const dataHome = join(turnDir, 'data');
    await mkdir(join(dataHome, 'opencode'), { recursive: true });
    await linkUserLogin(dataHome, ctx.env);
    let instructionsFile: string | undefined;
    if (options.appendSystemPrompt) {
      instructionsFile = join(turnDir, 'instructions.md');
      await writeFile(instructionsFile, options.appendSystemPrompt);
    }
    const configFile = join(turnDir, 'opencode.json');
    const mcp = Object.fromEntries(Object.entries(ctx.mcpServers).map(([n, s]) => [n, hideVars(s, PROVIDER_KEYS)]));
    const config = opencodeConfig(settings, options, relay?.url ?? settings.baseUrl, instructionsFile, mcp);
    // 0600: the MCP servers' expanded secrets are in it.
    await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
    const env = opencodeEnv(ctx.cliEnv, dataHome, configFile, options.cwd);

    const helper = async (args: string[], what: string): Promise<{ exit: ChildExit; stdout: string }> => {
      // Read through a file, as the run is; the lines runChild reads are the output (no second read of the file).
      const lines: string[] = [];
      const exit = await runChild(settings.path, args, {
        cwd: options.cwd,
        env,
        stdin: '',
        stdoutFile: join(turnDir, `${args[0]}.out`),
        killGraceMs: KILL_GRACE_MS,
        signal: ctx.signal,
        timeoutMs: HELPER_TIMEOUT_MS,
        onLine: (line) => lines.push(line),
      });
      if (exit.spawnError) {
        throw ApplicationFailure.create({
          type: 'CliNotFound',
          message: `cannot run ${settings.path}: ${exit.spawnError.message}`,
          nonRetryable: true,
        });
      }
      if (exit.timedOut)
        throw ApplicationFailure.create({
          type: 'Unknown',
          message: `${what} did not finish within ${HELPER_TIMEOUT_MS / 1000} s`,
        });
      if (exit.signal)
        throw ApplicationFailure.create({ type: 'Unknown', message: `${what} was killed by ${exit.signal}` });
      return { exit, stdout: lines.join('\n') };
    };

    if (restored) {
      const file = join(turnDir, 'session.json');
      await writeFile(file, restored.exportJson);
      const { exit } = await helper(['import', file], 'opencode import');
      if (exit.exitCode !== 0) {
        throw ApplicationFailure.create({
          type: 'SessionNotFound',
          message: `opencode import refused the conversation's transcript: ${oneLine(stripAnsi(exit.stderrTail), 500) || `exit code ${exit.exitCode}`}`,
          nonRetryable: true,
        });
      }
    }

    const summary = emptySummary();
    let live: LiveItem[] = [];
    /** The last model API failure of the agent loop the relay saw. */
    const lastRelayedFailure = () => relay?.failures.filter((f) => f.mainLoop).at(-1);
    const runStarted = Date.now();
    let runEnded = runStarted;
    let exportCache: ReturnType<typeof parseExport> | undefined;
    const exportSession = async (): Promise<ReturnType<typeof parseExport>> => {
      const sessionId = restored?.sessionId ?? summary.sessionId;
      if (!sessionId)
        throw ApplicationFailure.create({ type: 'Unknown', message: 'opencode named no session: nothing to export' });
      const { exit, stdout } = await helper(['export', sessionId], 'opencode export');
      if (exit.exitCode !== 0) {
        throw ApplicationFailure.create({
          type: 'Unknown',
          message: `opencode export ${sessionId} failed: ${oneLine(stripAnsi(exit.stderrTail), 500) || `exit code ${exit.exitCode}`}`,
        });
      }
      exportCache = parseExport(stdout);
      return exportCache;
    };

    return {
      plan: {
        args: runArgs(options, restored?.sessionId),
        env,
        stdin: input.prompt,
        stdoutFile: join(turnDir, 'run.out'),
        killGraceMs: KILL_GRACE_MS,
      },
      stream: {
        push(line) {
          const progress = summarize(summary, line, live);
          // opencode's step bound only tells the model that tools are off; a model that calls them anyway is stopped.
          if (options.maxTurns && summary.steps > options.maxTurns) {
            ctx.stop({
              type: 'InvalidRequest',
              message: `opencode went past maxTurns (${options.maxTurns}): the model called tools after its last step; it was stopped`,
            });
          }
          if (summary.emptyStepsInARow >= MAX_EMPTY_STEPS) {
            ctx.stop({
              type: 'Hung',
              message: `opencode looped: ${summary.emptyStepsInARow} model calls in a row came back empty (finish reason "unknown"); it was killed`,
            });
          }
          return progress;
        },
        takeLive: () => {
          const items = live;
          live = [];
          return items;
        },
        progress: () => progressOf(summary),
      },
      async classify(exit, now) {
        runEnded = Date.now();
        const relayed = lastRelayedFailure();
        let exportError;
        if (summary.errors.length === 0 && !relayed && exit.exitCode === 0 && !exit.signal && summary.sessionId) {
          // opencode can end a run without an error event yet with the error on the session's last message.
          exportError = lastAssistantError((await exportSession()).parsed);
        }
        return classifyRun(summary, exit, now, exportError, relayed && apiFailureOfRelayed(relayed));
      },
      failureDetails() {
        const error = summary.errors[0];
        const relayed = lastRelayedFailure();
        return { errorName: error?.name, apiErrorStatus: (error && apiFailureOf(error).status) ?? relayed?.status };
      },
      hungMessage: (ms) => `opencode made no progress for ${ms / 1000} s and was killed`,
      async capture() {
        const { raw } = exportCache ?? (await exportSession());
        // A call of a tool the model was not offered counts as refused when the conversation's rules denied it.
        const permission = opencodePermission(options) ?? {};
        const denials = summary.refusals
          .filter((r) => !r.unavailable || permission[r.tool] === 'deny')
          .map(({ tool, input }) => ({ tool, input }));
        const result: Omit<TurnResult, 'transcript'> = {
          reply: opencodeReply(summary),
          costUsd: summary.costUsd,
          usage: {
            inputTokens: summary.tokens.input,
            outputTokens: summary.tokens.output,
            cacheCreationInputTokens: summary.tokens.cacheWrite,
            cacheReadInputTokens: summary.tokens.cacheRead,
          },
          durationMs: runEnded - runStarted,
          numTurns: summary.steps,
          ...(denials.length > 0 && { denials }),
        };
        return { transcript: renderTranscript(raw, transcript), result };
      },
      close: async () => relay?.close(),
    };
  } catch (err) {
    await relay?.close();
    throw err;
  }
}
