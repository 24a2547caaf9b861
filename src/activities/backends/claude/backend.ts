/**
 * The Claude Code backend: restore the transcript into a private config dir, run
 * `claude --print --output-format stream-json --verbose --include-partial-messages` with the prompt on stdin, read its
 * stream-json events (and from them the live text, thinking and tool calls),
 * classify how it ended, and capture the transcript back. The turn machinery (heartbeats, hung bound, cancellation,
 * failures) is shared: see `../../turn/run-turn.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { ApplicationFailure } from '@temporalio/activity';
import type { TurnResult } from '../../../common/conversation.js';
import { toolInputLine } from '../../turn/tool-input.js';
import { progressOf, type BackendPlugin, type BackendTurn, type TurnBackend } from '../backend.js';
import { approvalHook, needsHook, pendingOf, ranTracker, withHooks } from './approvals.js';
import { chatEntries } from './chat.js';
import { classifyRun } from './classify.js';
import { linkUserClaudeConfig, userClaudeConfig } from './config-dir.js';
import { emptySummary, LiveReader, summarize, type ResultEvent } from './events.js';
import { claudeOptionsProblem, COMPACT_PROMPT, runArgs, writeRunFiles } from './run-args.js';
import { loadSettings, type ClaudeSettings } from './settings.js';
import { readTranscript, restoreTranscript, transcriptPath } from './transcript.js';

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

/** Result subtypes of a run the conversation's own limits stopped (`--max-turns`, `--max-budget-usd`). */
const LIMIT_STOPS = new Set(['error_max_turns', 'error_max_budget_usd']);

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
  return {
    name: 'claude',
    binaryPath: settings.path,
    binaryEnvVar: 'CLAUDE_PATH',
    envVars: CLAUDE_ENV_VARS,
    optionsProblem: claudeOptionsProblem,
    async prepare(ctx): Promise<BackendTurn> {
      const { input, turnDir: configDir, env } = ctx;
      await linkUserClaudeConfig(configDir, userClaudeConfig(env));
      const path = transcriptPath(configDir, input.options.cwd, input.sessionId);
      await restoreTranscript(path, ctx.transcript);
      let options = input.options;
      if (needsHook(input, ctx.ran)) {
        const hook = approvalHook(configDir, input, ctx.ran, env);
        await writeFile(hook.configPath, JSON.stringify(hook.config), { mode: 0o600 });
        options = { ...options, settings: withHooks(options.settings, hook.hooks) };
      }
      const files = await writeRunFiles(configDir, options, ctx.mcpServers, CREDENTIALS);
      const summary = emptySummary();
      const live = new LiveReader();
      const ran = ranTracker(input.decisions ?? [], ctx.ran);
      return {
        plan: {
          args: runArgs(input, files),
          env: {
            ...ctx.cliEnv,
            CLAUDE_CONFIG_DIR: configDir,
            CLAUDE_CODE_MAX_RETRIES: String(cliMaxRetries(settings, input.options)),
            DISABLE_AUTOUPDATER: '1',
          },
          // A run that continues a paused turn has no new prompt: the CLI re-announces the paused call.
          stdin: input.continues ? '' : input.kind === 'compact' ? COMPACT_PROMPT : input.prompt,
        },
        stream: {
          // Every line counts as progress: Claude Code prints nothing while it waits on the model or a tool.
          push: (line) => {
            const event = summarize(summary, line);
            ran.see(event);
            live.read(event);
            return true;
          },
          takeLive: () => live.take(),
          progress: () => ({ ...progressOf(summary), ...(ran.calls.length && { ran: ran.calls }) }),
        },
        // A run its own limits stopped ended as asked: the turn completes, with its session, so the work is kept.
        classify: async (exit, now) =>
          summary.result && LIMIT_STOPS.has(summary.result.subtype) ? undefined : classifyRun(summary, exit, now),
        failureDetails: () => ({
          resultSubtype: summary.result?.subtype,
          apiErrorStatus: summary.result?.api_error_status,
        }),
        hungMessage: (ms) => `claude printed no event for ${ms / 1000} s and was killed`,
        async capture() {
          const transcript = await readTranscript(path);
          if (!transcript) {
            throw ApplicationFailure.create({
              type: 'Unknown',
              message: `claude reported success but wrote no transcript at ${path}`,
            });
          }
          const result = summary.result!;
          const turnResult: Omit<TurnResult, 'transcript'> = {
            reply: result.result || (LIMIT_STOPS.has(result.subtype) ? limitMessage(result) : ''),
            costUsd: result.total_cost_usd,
            usage: result.usage && {
              inputTokens: result.usage.input_tokens,
              outputTokens: result.usage.output_tokens,
              cacheCreationInputTokens: result.usage.cache_creation_input_tokens,
              cacheReadInputTokens: result.usage.cache_read_input_tokens,
            },
            durationMs: result.duration_ms,
            numTurns: result.num_turns,
            ...(result.permission_denials?.length && { denials: denialsOf(result) }),
            ...(result.structured_output != null && { structured: result.structured_output }),
          };
          const pending = pendingOf(result, input.options, env.HOME ?? homedir());
          if (pending) turnResult.pending = pending;
          return { transcript, result: turnResult };
        },
      };
    },
  };
}

/** The tool calls a run's `result` event says the CLI refused, each input on one line (not yet redacted). */
function denialsOf(result: ResultEvent): NonNullable<TurnResult['denials']> {
  return (result.permission_denials ?? []).map((d) => ({
    tool: d.tool_name,
    input: toolInputLine(d.tool_input) ?? '',
  }));
}

/** The CLI's own words for a limit stop, e.g. `Reached maximum number of turns (3)`. */
function limitMessage(result: ResultEvent): string {
  const errors = (result.errors ?? []).filter((e): e is string => typeof e === 'string');
  return errors.join('\n') || `stopped: ${result.subtype}`;
}
