/**
 * What a client (the typed API, the `convo` commands) needs: where Temporal is, the task queue, the account new
 * conversations belong to, where transcripts are stored, and the payload keys. It never reads worker-only
 * variables, so a worker setting that does not parse (say `CONVO_HUNG_AFTER_S=abc`) does not stop `convo list`.
 */
import { z } from 'zod';
import { EncryptionEnv, encryptionKeys, type EncryptionKeys } from './codec-keys.js';
import { loadConnectionConfig, type ConnectionConfig } from './connection.js';
import { parseEnv } from './env.js';
import { StoreEnv, storeConfig, type StoreConfig } from './store.js';

/** The account conversations belong to when `CONVO_ACCOUNT` is unset. */
export const DEFAULT_ACCOUNT = 'default';

const ClientEnv = z
  .object({ CONVO_ACCOUNT: z.string().min(1).default(DEFAULT_ACCOUNT) })
  .extend(StoreEnv.shape)
  .extend(EncryptionEnv.shape);

/** A client's configuration. */
export interface ClientConfig extends ConnectionConfig, StoreConfig {
  /** The account new conversations belong to (`CONVO_ACCOUNT`): conversations of one account share its usage limit. */
  account: string;
  /** Payload encryption keys; undefined: payloads are not encrypted (and encrypted ones cannot be read). */
  encryption?: EncryptionKeys;
}

/**
 * Reads a client's configuration: `CONVO_ACCOUNT`, `CONVO_TASK_QUEUE`, the transcript store and encryption variables
 * from `env`, and the Temporal connection from Temporal's environment configuration (see ./connection.ts).
 * @throws ConfigError naming the variable or setting that does not parse.
 */
export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const e = parseEnv(ClientEnv, env);
  return { ...loadConnectionConfig(env), account: e.CONVO_ACCOUNT, ...storeConfig(e), encryption: encryptionKeys(e) };
}
