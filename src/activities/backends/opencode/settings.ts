/**
 * The worker's opencode settings, from its environment: the binary, the provider and model, the base URL and the relay.
 * What a turn makes of them (its config file and `opencode run` arguments) is in `run-config.ts`.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { emptyAsUnset, parseEnv, resolveBinary } from '../../../config/env.js';
import { firstInstalled } from '../bundled-binary.js';

/** The worker's opencode settings (from {@link loadSettings}). */
export interface OpencodeSettings {
  /** Path of the `opencode` binary (`OPENCODE_PATH`). */
  path: string;
  /** `provider/model` of the agent loop (`CONVO_OPENCODE_MODEL`, default `anthropic/claude-sonnet-4-5`). */
  model: string;
  /** `provider/model` for titles and summaries (`CONVO_OPENCODE_SMALL_MODEL`); unset: opencode's choice. */
  smallModel?: string;
  /**
   * Base URL of the model's provider API, as opencode wants it (with `/v1` for Anthropic): `CONVO_OPENCODE_BASE_URL`,
   * else for the `anthropic` provider `ANTHROPIC_BASE_URL` + `/v1`, else `https://api.anthropic.com/v1`. Undefined for
   * another provider without `CONVO_OPENCODE_BASE_URL` (opencode's own default; no relay then).
   */
  baseUrl?: string;
  /** Run the model API traffic through the per-turn relay (`CONVO_OPENCODE_RELAY`, default true). */
  relay: boolean;
  /** Failed model calls opencode may retry itself before the turn ends (`CONVO_CLI_MAX_RETRIES`, default 0). */
  cliMaxRetries: number;
}

/** The default `provider/model`. */
export const DEFAULT_OPENCODE_MODEL = 'anthropic/claude-sonnet-4-5';

/**
 * The base URL opencode should use for `model`'s provider, from the worker's environment; see
 * {@link OpencodeSettings.baseUrl}.
 */
export function defaultBaseUrl(model: string, env: NodeJS.ProcessEnv): string | undefined {
  if (providerOf(model) !== 'anthropic') return undefined;
  const base = env.ANTHROPIC_BASE_URL?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1` : 'https://api.anthropic.com/v1';
}

/** The provider id of a `provider/model` string (`anthropic` for `anthropic/claude-sonnet-4-5`). */
export function providerOf(model: string): string {
  return model.includes('/') ? model.slice(0, model.indexOf('/')) : 'anthropic';
}

const OpencodeEnv = z.object({
  OPENCODE_PATH: z.string().min(1).optional(),
  CONVO_OPENCODE_MODEL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[\w.-]+\/\S+$/, 'must be provider/model, e.g. anthropic/claude-sonnet-4-5')
      .default(DEFAULT_OPENCODE_MODEL),
  ),
  CONVO_OPENCODE_SMALL_MODEL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[\w.-]+\/\S+$/, 'must be provider/model')
      .optional(),
  ),
  CONVO_OPENCODE_BASE_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  CONVO_OPENCODE_RELAY: z.preprocess(emptyAsUnset, z.enum(['0', '1', 'false', 'true']).default('1')),
  CONVO_CLI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(0),
});

/**
 * Reads the opencode settings from `env` (`OPENCODE_PATH`, `CONVO_OPENCODE_MODEL`, `CONVO_OPENCODE_SMALL_MODEL`,
 * `CONVO_OPENCODE_BASE_URL` or `ANTHROPIC_BASE_URL`, `CONVO_OPENCODE_RELAY`, `CONVO_CLI_MAX_RETRIES`).
 * @throws ConfigError naming the variable that does not parse.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): OpencodeSettings {
  const e = parseEnv(OpencodeEnv, env);
  return {
    path: resolveBinary(e.OPENCODE_PATH ?? bundledBinaryPath() ?? 'opencode', env),
    model: e.CONVO_OPENCODE_MODEL,
    smallModel: e.CONVO_OPENCODE_SMALL_MODEL,
    baseUrl: e.CONVO_OPENCODE_BASE_URL?.replace(/\/+$/, '') ?? defaultBaseUrl(e.CONVO_OPENCODE_MODEL, env),
    relay: e.CONVO_OPENCODE_RELAY === '1' || e.CONVO_OPENCODE_RELAY === 'true',
    cliMaxRetries: e.CONVO_CLI_MAX_RETRIES,
  };
}

/**
 * The `opencode` binary installed with the project (`opencode-ai`): the platform package's `bin/opencode`
 * (`opencode-<platform>-<arch>`, as opencode names platforms: `linux`, `darwin`, `windows`), else the wrapper package's
 * `bin/opencode.exe` (a copy of the platform binary made by its install script, or shipped). Undefined when neither is
 * there.
 */
export function bundledBinaryPath(): string | undefined {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const binary = process.platform === 'win32' ? 'opencode.exe' : 'opencode';
  return firstInstalled([
    [`opencode-${platform}-${process.arch}`, join('bin', binary)],
    [`opencode-${platform}-${process.arch}-baseline`, join('bin', binary)],
    ['opencode-ai', join('bin', 'opencode.exe')],
  ]);
}
