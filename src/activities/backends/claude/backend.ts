/**
 * The Claude Code backend: restore the transcript into a private config dir, run
 * `claude --print --output-format stream-json --verbose` with the prompt on stdin, read its stream-json events,
 * classify how it ended, and capture the transcript back. With warm sessions on, a turn that fits runs on a live
 * process instead (`--input-format stream-json`, see `./warm.ts`): the conversation's own when the worker keeps one
 * that is exactly as the turn needs it, else a new one, kept in the worker's pool (`../../warm/pool.ts`) once the turn
 * completed. The turn machinery (heartbeats, hung bound, cancellation, failures) is shared: see
 * `../../turn/run-turn.ts`.
 */
import { writeFile } from 'node:fs/promises';
import type { RunInput } from '../../../common/conversation.js';
import { LiveProcess } from '../../warm/live-process.js';
import type { WarmPool, WarmSession, WarmSessionInit } from '../../warm/pool.js';
import type { BackendPlugin, BackendTurn, RunPlan, TurnBackend } from '../backend.js';
import { approvalHook, needsHook, withHooks } from './approvals.js';
import { chatEntries } from './chat.js';
import { ConfigSeed, linkUserClaudeConfig, userClaudeConfig } from './config-dir.js';
import { claudeOptionsProblem, COMPACT_PROMPT, runArgs, writeRunFiles } from './run-args.js';
import { runReader, type RunReader } from './run-reader.js';
import { loadSettings, type ClaudeSettings } from './settings.js';
import { restoreTranscript, transcriptPath } from './transcript.js';
import { heldTranscript, isResultLine, LIVE_ARGS, sameTranscript, userMessage, warmKey } from './warm.js';

/** Claude Code's credentials: secrets to redact, and kept from the MCP servers it starts. */
const CREDENTIALS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'];

/**
 * What Claude Code reads from the worker's environment besides what every CLI needs: its credentials, the API's
 * address, models, headers and betas (`ANTHROPIC_*`), its own settings (`CLAUDE_CODE_*`, `DISABLE_*`, the MCP and Bash
 * timeouts), Vertex AI's settings, and `IS_SANDBOX` (lets `--dangerously-skip-permissions` run as root). Bedrock's
 * `AWS_*` credentials are Convo's store credentials too, and never passed.
 */
export const CLAUDE_ENV_VARS: readonly string[] = [
  ...CREDENTIALS,
  'ANTHROPIC_*',
  'CLAUDE_CODE_*',
  'DISABLE_*',
  'IS_SANDBOX',
  'MAX_THINKING_TOKENS',
  'MCP_TIMEOUT',
  'MCP_TOOL_TIMEOUT',
  'MAX_MCP_OUTPUT_TOKENS',
  'BASH_DEFAULT_TIMEOUT_MS',
  'BASH_MAX_TIMEOUT_MS',
  'VERTEX_*',
  'CLOUD_ML_REGION',
  'GOOGLE_APPLICATION_CREDENTIALS',
];

/**
 * Claude Code 2.1.330 switches to `--fallback-model` after three 529 (overloaded) answers in a row, counted by its own
 * retry loop: with fewer retries allowed it never gets there.
 */
export const FALLBACK_AFTER_RETRIES = 3;

/** `CLAUDE_CODE_MAX_RETRIES` for a turn: the worker's, raised to {@link FALLBACK_AFTER_RETRIES} with a fallback model. */
function cliMaxRetries(settings: ClaudeSettings, options: { fallbackModel?: string }): number {
  return options.fallbackModel ? Math.max(settings.cliMaxRetries, FALLBACK_AFTER_RETRIES) : settings.cliMaxRetries;
}

/**
 * The Claude Code plug-in. Its secrets are Claude Code's API key and tokens; any process whose command line names
 * `claude` counts as its CLI.
 */
export const plugin: BackendPlugin<ClaudeSettings> = {
  name: 'claude',
  secretEnvVars: CREDENTIALS,
  optionsProblem: claudeOptionsProblem,
  loadSettings,
  describe: (settings) => `claude at ${settings.path}`,
  turnBackend,
  isCliProcess: (cmdline) => cmdline.includes('claude'),
  chatEntries,
};

/** The Claude Code backend for turns, with the worker's settings. */
export function turnBackend(settings: ClaudeSettings): TurnBackend {
  const seed = new ConfigSeed();
  return {
    name: 'claude',
    binaryPath: settings.path,
    binaryEnvVar: 'CLAUDE_PATH',
    envVars: CLAUDE_ENV_VARS,
    optionsProblem: claudeOptionsProblem,
    async prepare(ctx): Promise<BackendTurn> {
      const { input, env, warm } = ctx;
      const retries = cliMaxRetries(settings, input.options);
      // A turn that fits a live process: on the conversation's warm session when it is exactly as this turn needs it
      // (same options, the transcript byte for byte the workflow's), else on a new one kept after the turn.
      const key = warm?.enabled ? warmKey(input, ctx.ran, ctx.mcpServers, retries) : undefined;
      const session = warm?.take(input.conversationId);
      if (session) {
        const before =
          key === session.key
            ? await sameTranscript(session.transcriptPath, session.held, input.transcript, () => ctx.readTranscript())
            : undefined;
        if (before) return onSession(session, before, input, env, warm!);
        await warm!.end(session);
      }

      const configDir = ctx.turnDir;
      await linkUserClaudeConfig(configDir, userClaudeConfig(env), seed);
      const path = transcriptPath(configDir, input.options.cwd, input.sessionId);
      await restoreTranscript(path, await ctx.readTranscript());
      let options = input.options;
      if (needsHook(input, ctx.ran)) {
        const hook = approvalHook(configDir, input, ctx.ran, env);
        await writeFile(hook.configPath, JSON.stringify(hook.config), { mode: 0o600 });
        options = { ...options, settings: withHooks(options.settings, hook.hooks) };
      }
      const files = await writeRunFiles(configDir, options, ctx.mcpServers, CREDENTIALS);
      const plan: RunPlan = {
        args: runArgs(input, files),
        env: {
          ...ctx.cliEnv,
          CLAUDE_CONFIG_DIR: configDir,
          CLAUDE_CODE_MAX_RETRIES: String(retries),
          DISABLE_AUTOUPDATER: '1',
        },
        // A run that continues a paused turn has no new prompt: the CLI re-announces the paused call.
        stdin: input.continues ? '' : input.kind === 'compact' ? COMPACT_PROMPT : input.prompt,
      };
      const reader = learning(runReader(input, path, env, ctx.ran), () => seed.learn(configDir));
      if (key === undefined || !warm) return { plan, ...reader };

      // Started to stay: the same arguments plus stdin as a stream of messages, the prompt the first of them.
      warm.makeRoom();
      const live = LiveProcess.start(settings.path, [...plan.args, ...LIVE_ARGS], {
        cwd: input.options.cwd,
        env: plan.env,
      });
      const started: WarmSessionInit = {
        conversationId: input.conversationId,
        key,
        dir: configDir,
        transcriptPath: path,
        process: live,
      };
      return {
        plan,
        ...withWarm(reader, warm),
        run: (hooks) => {
          if (live.pid) hooks.onSpawn(live.pid);
          return live.run(userMessage(input.prompt), {
            onLine: hooks.onLine,
            isEnd: isResultLine,
            signal: hooks.signal,
          });
        },
        async close({ completed, transcript }) {
          if (completed && transcript) started.held = await heldTranscript(path, transcript);
          if (completed && warm.park(started)) return { keepTurnDir: true };
          await live.end();
          return { keepTurnDir: false };
        },
      };
    },
  };
}

/**
 * A turn on `session`, a live process whose transcript (`before`) is the conversation's: the prompt is its next
 * message.
 */
function onSession(
  session: WarmSession,
  before: Buffer,
  input: RunInput,
  env: NodeJS.ProcessEnv,
  warm: WarmPool,
): BackendTurn {
  const reader = runReader(input, session.transcriptPath, env, []);
  return {
    // Not spawned: the live process runs it (see `run`).
    plan: { args: [], env: {}, stdin: '' },
    before,
    ...withWarm(reader, warm),
    run: (hooks) =>
      session.process.run(userMessage(input.prompt), {
        onLine: hooks.onLine,
        isEnd: isResultLine,
        signal: hooks.signal,
      }),
    async close({ completed, transcript }) {
      if (completed && transcript) session.held = await heldTranscript(session.transcriptPath, transcript);
      if (!completed || !warm.park(session)) await warm.end(session);
    },
  };
}

/** `reader` that calls `learn` once the run succeeded, before its capture. */
function learning(reader: RunReader, learn: () => Promise<void>): RunReader {
  return {
    ...reader,
    async capture() {
      await learn();
      return reader.capture();
    },
  };
}

/** `reader` whose captured result says the session is kept for the next turn on the pool's task queue. */
function withWarm(reader: RunReader, warm: WarmPool): RunReader {
  return {
    ...reader,
    async capture() {
      const captured = await reader.capture();
      // The process is kept once the turn completes, unless the worker stops keeping any (it is shutting down).
      if (!warm.enabled) return captured;
      return { ...captured, result: { ...captured.result, warm: { taskQueue: warm.taskQueue } } };
    },
  };
}
