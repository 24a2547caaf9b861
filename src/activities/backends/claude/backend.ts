/**
 * The Claude Code backend: restore the transcript into a private config dir, run
 * `claude --print --output-format stream-json --verbose` with the prompt on stdin, read its stream-json events,
 * classify how it ended, and capture the transcript back. The turn machinery (heartbeats, hung bound, cancellation,
 * failures) is shared: see `../../turn/run-turn.ts`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { TurnInput, TurnResult } from '../../../common/conversation.js';
import { progressOf, type BackendPlugin, type BackendTurn, type TurnBackend } from '../backend.js';
import { chatEntries } from './chat.js';
import { classifyRun } from './classify.js';
import { linkUserClaudeConfig, userClaudeConfig } from './config-dir.js';
import { emptySummary, summarize } from './events.js';
import { loadSettings, type ClaudeSettings } from './settings.js';
import { readTranscript, restoreTranscript, transcriptPath } from './transcript.js';

/**
 * The Claude Code plug-in. Its secrets are Claude Code's API key and tokens; any process whose command line names
 * `claude` counts as its CLI.
 */
export const plugin: BackendPlugin<ClaudeSettings> = {
  name: 'claude',
  secretEnvVars: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'],
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
    async prepare(ctx): Promise<BackendTurn> {
      const { input, turnDir: configDir, env } = ctx;
      await linkUserClaudeConfig(configDir, userClaudeConfig(env));
      const path = transcriptPath(configDir, input.options.cwd, input.sessionId);
      await restoreTranscript(path, ctx.transcript);
      const summary = emptySummary();
      return {
        plan: {
          args: runArgs(input),
          env: {
            ...env,
            CLAUDE_CONFIG_DIR: configDir,
            CLAUDE_CODE_MAX_RETRIES: String(settings.cliMaxRetries),
            DISABLE_AUTOUPDATER: '1',
          },
          stdin: input.prompt,
        },
        stream: {
          // Every line counts as progress: Claude Code prints nothing while it waits on the model or a tool.
          push: (line) => (summarize(summary, line), true),
          progress: () => progressOf(summary),
        },
        classify: async (exit, now) => classifyRun(summary, exit, now),
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
            reply: result.result ?? '',
            costUsd: result.total_cost_usd,
            usage: result.usage && {
              inputTokens: result.usage.input_tokens,
              outputTokens: result.usage.output_tokens,
              cacheCreationInputTokens: result.usage.cache_creation_input_tokens,
              cacheReadInputTokens: result.usage.cache_read_input_tokens,
            },
            durationMs: result.duration_ms,
            numTurns: result.num_turns,
          };
          return { transcript, result: turnResult };
        },
      };
    },
  };
}

/** The CLI's arguments for a turn: `--session-id` on the first turn, `--resume` once there is a transcript. */
export function runArgs(input: TurnInput): string[] {
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
