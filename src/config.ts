/**
 * TEMPORARY compatibility shim until the lead's merge rewires its importers (src/worker, src/activities,
 * src/testing, test/): the old flat `Config` assembled from src/config/{worker,client}.ts plus the backend settings
 * that move to each backend's settings.ts. Delete at merge.
 */
import { z } from 'zod';
import { DEFAULT_OPENCODE_MODEL, defaultBaseUrl, type OpencodeSettings } from './activities/opencode/settings.js';
import { loadClientConfig } from './config/client.js';
import { ConfigError, emptyAsUnset, parseEnv, resolveBinary } from './config/env.js';
import { loadWorkerConfig, type WorkerConfig } from './config/worker.js';
import { bundledClaudePath, bundledOpencodePath } from './paths.js';

const BackendEnv = z.object({
  CLAUDE_PATH: z.string().min(1).optional(),
  OPENCODE_PATH: z.string().min(1).optional(),
  CONVO_OPENCODE_MODEL: z.preprocess(emptyAsUnset, z.string().regex(/^[\w.-]+\/\S+$/, 'must be provider/model, e.g. anthropic/claude-sonnet-4-5').default(DEFAULT_OPENCODE_MODEL)),
  CONVO_OPENCODE_SMALL_MODEL: z.preprocess(emptyAsUnset, z.string().regex(/^[\w.-]+\/\S+$/, 'must be provider/model').optional()),
  CONVO_OPENCODE_BASE_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  CONVO_OPENCODE_RELAY: z.preprocess(emptyAsUnset, z.enum(['0', '1', 'false', 'true']).default('1')),
  CONVO_CLI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(0),
});

/** The old flat configuration (worker, client and backends). */
export interface Config extends WorkerConfig {
  account: string;
  claudePath: string;
  opencode: OpencodeSettings;
  cliMaxRetries: number;
}

/** The old `loadConfig`: every setting at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(BackendEnv, env);
  return {
    ...loadWorkerConfig(env),
    account: loadClientConfig(env).account,
    claudePath: resolveBinary(e.CLAUDE_PATH ?? bundledClaudePath() ?? 'claude', env),
    opencode: {
      path: resolveBinary(e.OPENCODE_PATH ?? bundledOpencodePath() ?? 'opencode', env),
      model: e.CONVO_OPENCODE_MODEL,
      smallModel: e.CONVO_OPENCODE_SMALL_MODEL,
      baseUrl: e.CONVO_OPENCODE_BASE_URL?.replace(/\/+$/, '') ?? defaultBaseUrl(e.CONVO_OPENCODE_MODEL, env),
      relay: e.CONVO_OPENCODE_RELAY === '1' || e.CONVO_OPENCODE_RELAY === 'true',
    },
    cliMaxRetries: e.CONVO_CLI_MAX_RETRIES,
  };
}

export { defaultKeyId, loadCodecAuthTokens, loadEncryptionKeys, type EncryptionKeys } from './config/codec-keys.js';
export { ConfigError, resolveBinary };
