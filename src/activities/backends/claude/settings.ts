/**
 * The worker's Claude Code settings, from its environment: the `claude` binary and how many retries the CLI may make
 * itself.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { parseEnv, resolveBinary } from '../../../config/env.js';
import { firstInstalled } from '../bundled-binary.js';

/** The worker's Claude Code settings (from {@link loadSettings}). */
export interface ClaudeSettings {
  /** Path of the `claude` binary: `CLAUDE_PATH`, else the one installed with the project, else `claude` on PATH. */
  path: string;
  /** `CLAUDE_CODE_MAX_RETRIES` for the CLI (`CONVO_CLI_MAX_RETRIES`): Temporal owns retries, so this stays small
   * (default 0). */
  cliMaxRetries: number;
}

const ClaudeEnv = z.object({
  CLAUDE_PATH: z.string().min(1).optional(),
  CONVO_CLI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(0),
});

/**
 * Reads the Claude Code settings from `env` (`CLAUDE_PATH`, `CONVO_CLI_MAX_RETRIES`).
 * @throws ConfigError naming the variable that does not parse.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): ClaudeSettings {
  const e = parseEnv(ClaudeEnv, env);
  return {
    path: resolveBinary(e.CLAUDE_PATH ?? bundledBinaryPath() ?? 'claude', env),
    cliMaxRetries: e.CONVO_CLI_MAX_RETRIES,
  };
}

/**
 * The `claude` binary installed with the project (`@anthropic-ai/claude-code`): the platform package's binary, or
 * the wrapper package's `bin/claude.exe`. Undefined when neither is there.
 */
export function bundledBinaryPath(): string | undefined {
  return firstInstalled([
    [`@anthropic-ai/claude-code-${process.platform}-${process.arch}`, 'claude'],
    ['@anthropic-ai/claude-code', join('bin', 'claude.exe')],
  ]);
}
