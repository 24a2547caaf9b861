/**
 * How a turn runs Claude Code: its arguments, built from the conversation's options, and the files they name in the
 * turn's private dir (the MCP config and the extra settings, both mode 0600: the MCP config holds the expanded values
 * of its `${VAR}` references).
 *
 * Flags are Claude Code 2.1.330's (`claude --help`; `--max-turns` works though `--help` no longer lists it).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { McpServers } from '../../../common/agent-options.js';
import type { ConversationOptions, RunInput } from '../../../common/conversation.js';
import { hideVars } from '../../turn/mcp-servers.js';

/** The prompt of a compaction turn: Claude Code's own `/compact`, which `--print` runs as a local command. */
export const COMPACT_PROMPT = '/compact';

/** The files a run's arguments name, in the turn dir. */
export interface RunFiles {
  /** `--mcp-config`: `{"mcpServers": {...}}`. */
  mcpConfig?: string;
  /** `--settings`: the conversation's `settings`. */
  settings?: string;
}

/**
 * Writes the run's files into `turnDir` (mode 0600).
 * @param mcpServers the conversation's MCP servers with their references expanded.
 * @param hiddenVars variables a stdio server must not inherit from the CLI (the provider's credentials) unless its own
 *   `env` names them (see `hideVars`).
 */
export async function writeRunFiles(
  turnDir: string,
  options: ConversationOptions,
  mcpServers: McpServers,
  hiddenVars: readonly string[],
): Promise<RunFiles> {
  const files: RunFiles = {};
  if (Object.keys(mcpServers).length > 0) {
    files.mcpConfig = join(turnDir, 'mcp.json');
    const servers = Object.fromEntries(Object.entries(mcpServers).map(([n, s]) => [n, hideVars(s, hiddenVars)]));
    await writeFile(files.mcpConfig, JSON.stringify({ mcpServers: servers }), { mode: 0o600 });
  }
  if (options.settings) {
    files.settings = join(turnDir, 'convo-settings.json');
    await writeFile(files.settings, JSON.stringify(options.settings), { mode: 0o600 });
  }
  return files;
}

/**
 * The CLI's arguments for a turn: stream-json with partial messages (live text), `--session-id` on the first turn, `--resume` once there is a transcript; the
 * conversation's options; `--strict-mcp-config` unless the worker user's own MCP servers are asked for;
 * `--max-budget-usd` with what is left of the conversation's budget. A compaction turn leaves out `--json-schema` (its
 * reply is no answer) and `--max-turns`.
 */
export function runArgs(input: RunInput, files: RunFiles = {}): string[] {
  const { options } = input;
  const compact = input.kind === 'compact';
  // Partial messages: the model's text and thinking reach stdout as they are written (stream_event lines), for live text.
  const args = ['--print', '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
  args.push(...(input.transcript.length > 0 ? ['--resume', input.sessionId] : ['--session-id', input.sessionId]));
  if (options.model) args.push('--model', options.model);
  if (options.fallbackModel) args.push('--fallback-model', options.fallbackModel);
  if (options.systemPrompt) args.push('--system-prompt', options.systemPrompt);
  if (options.appendSystemPrompt) args.push('--append-system-prompt', options.appendSystemPrompt);
  if (options.permissionMode) args.push('--permission-mode', options.permissionMode);
  for (const tool of options.allowedTools ?? []) args.push('--allowedTools', tool);
  for (const tool of options.disallowedTools ?? []) args.push('--disallowedTools', tool);
  for (const dir of options.addDirs ?? []) args.push('--add-dir', dir);
  if (options.effort) args.push('--effort', options.effort);
  if (options.maxTurns && !compact) args.push('--max-turns', String(options.maxTurns));
  if (options.jsonSchema && !compact) args.push('--json-schema', JSON.stringify(options.jsonSchema));
  if (files.mcpConfig) args.push('--mcp-config', files.mcpConfig);
  if (!options.userMcpServers) args.push('--strict-mcp-config');
  if (files.settings) args.push('--settings', files.settings);
  if (input.remainingBudgetUsd !== undefined && input.remainingBudgetUsd > 0) {
    args.push('--max-budget-usd', String(input.remainingBudgetUsd));
  }
  return args;
}

/** Why Claude Code cannot run `options` as given (see `BackendPlugin.optionsProblem`). */
export function claudeOptionsProblem(options: ConversationOptions): string | undefined {
  if (options.settings && 'env' in options.settings) {
    return 'settings.env is refused: the CLI gets an allow-list of the worker environment (add names to CONVO_CLI_ENV on the workers)';
  }
  return undefined;
}
