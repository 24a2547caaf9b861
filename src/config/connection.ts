/**
 * How Convo connects to Temporal: one place that builds the connection options used by the client
 * (`Connection.connect`) and the worker (`NativeConnection.connect`).
 *
 * Settings come from Temporal's environment configuration (`@temporalio/envconfig`), the same the `temporal` CLI
 * reads: a TOML file (`TEMPORAL_CONFIG_FILE`, default `~/.config/temporalio/temporal.toml`), its profile
 * `TEMPORAL_PROFILE` (default `default`), then the variables `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS`, `TEMPORAL_TLS_*` and `TEMPORAL_GRPC_META_*`, which override the file.
 * With neither, the address is {@link DEFAULT_TEMPORAL_ADDRESS} and the namespace `default`.
 *
 * Also here: the task queue (`CONVO_TASK_QUEUE`), which worker and client must agree on.
 */
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';
import { DEFAULT_GRPC_PORT } from './server.js';

/** The local dev server's address, used when neither a profile nor `TEMPORAL_ADDRESS` names one. */
export const DEFAULT_TEMPORAL_ADDRESS = `localhost:${DEFAULT_GRPC_PORT}`;
/** The namespace used when neither a profile nor `TEMPORAL_NAMESPACE` names one. */
export const DEFAULT_NAMESPACE = 'default';

/** Options both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export interface TemporalConnectionOptions {
  /** `host:port` of the Temporal frontend. */
  address: string;
  /** `true` for TLS with the system's roots, a config for a custom CA, SNI or mTLS; unset for plain TCP. */
  tls?: TLSConfig | boolean;
  /** Sent as `Authorization: Bearer <key>` (Temporal Cloud API keys); implies TLS unless TLS is disabled. */
  apiKey?: string;
  /** gRPC metadata (headers) sent with every request. */
  metadata?: Record<string, string>;
}

/**
 * The secret part of a connection: TLS material, API key and gRPC metadata. They are held in private fields, so
 * that logging or serialising a `Config` (`console.log`, `JSON.stringify`, `util.inspect`) never shows them; only
 * {@link connectionOptions} reads them.
 */
export class TemporalAuth {
  readonly #tls: TLSConfig | boolean | undefined;
  readonly #apiKey: string | undefined;
  readonly #metadata: Record<string, string> | undefined;

  constructor(settings: { tls?: TLSConfig | boolean; apiKey?: string; metadata?: Record<string, string> } = {}) {
    this.#tls = settings.tls;
    this.#apiKey = settings.apiKey;
    this.#metadata = settings.metadata;
  }

  /** True when connections use TLS (set explicitly, or implied by an API key). */
  get tls(): boolean {
    return this.#tls !== undefined && this.#tls !== false;
  }

  /** True when an API key is set (the key itself is never exposed here). */
  get hasApiKey(): boolean {
    return this.#apiKey !== undefined;
  }

  /** The SDK options for these settings, without the address. */
  options(): Omit<TemporalConnectionOptions, 'address'> {
    return {
      ...(this.#tls !== undefined ? { tls: this.#tls } : {}),
      ...(this.#apiKey !== undefined ? { apiKey: this.#apiKey } : {}),
      ...(this.#metadata !== undefined ? { metadata: { ...this.#metadata } } : {}),
    };
  }

  toJSON(): { tls: boolean; apiKey: boolean } {
    return { tls: this.tls, apiKey: this.hasApiKey };
  }
}

/** The resolved connection settings, as {@link loadTemporalSettings} returns them. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  auth: TemporalAuth;
}

/** Thrown when the Temporal connection settings (profile file or `TEMPORAL_*` variables) do not parse. */
export class TemporalSettingsError extends Error {
  override name = 'TemporalSettingsError';
}

// What a profile may hold once envconfig has merged file and environment (the TOML file is untrusted input).
const Profile = z.object({
  address: z.string().min(1, 'must not be empty').optional(),
  namespace: z.string().min(1, 'must not be empty').optional(),
  apiKey: z.string().min(1, 'must not be empty').optional(),
  grpcMeta: z.record(z.string(), z.string()).optional(),
});

/**
 * Reads the connection settings: the envconfig profile (file and environment), with the defaults above.
 * Reads the TOML file and any certificate files it names, synchronously.
 * @param env the environment (`TEMPORAL_*`, `HOME`/`XDG_CONFIG_HOME` for the default file location).
 * @throws TemporalSettingsError for a file that does not parse, a profile that does not exist, a certificate file
 *   that cannot be read, or a value of the wrong type; the message says which (and never contains a secret).
 */
export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = v;
  const where = describeSource(vars);
  let profile: ClientConfigProfile;
  let tls: TLSConfig | boolean | undefined;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: vars });
    tls = toClientOptions(profile).connectionOptions.tls ?? undefined;
  } catch (err) {
    // First line only: a TOML parser's message goes on with an excerpt of the file, which may hold a key.
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new TemporalSettingsError(`Temporal connection settings (${where}): ${reason}`);
  }
  const parsed = Profile.safeParse(profile);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TemporalSettingsError(`Temporal connection setting ${issue.path.join('.')} (${where}): ${issue.message}`);
  }
  const p = parsed.data;
  return {
    address: p.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: p.namespace ?? DEFAULT_NAMESPACE,
    auth: new TemporalAuth({ tls, apiKey: p.apiKey, metadata: p.grpcMeta }),
  };
}

/**
 * The options for `Connection.connect` / `NativeConnection.connect`.
 * @param config the address (which callers may change, e.g. to a dev server they started) and the auth settings.
 */
export function connectionOptions(config: {
  temporalAddress: string;
  temporalAuth: TemporalAuth;
}): TemporalConnectionOptions {
  return { address: config.temporalAddress, ...config.temporalAuth.options() };
}

/** The connection fields of a worker's or client's configuration (flat, as the code has always read them). */
export interface ConnectionConfig {
  /** `host:port` of the Temporal frontend (envconfig profile or `TEMPORAL_ADDRESS`; default
   * {@link DEFAULT_TEMPORAL_ADDRESS}). */
  temporalAddress: string;
  /** Temporal namespace (profile or `TEMPORAL_NAMESPACE`; default `default`). */
  namespace: string;
  /** TLS, API key and gRPC metadata (profile and `TEMPORAL_*`). The secrets inside never show in logs or JSON. */
  temporalAuth: TemporalAuth;
  /** Task queue of the conversation workflows and turn activities (`CONVO_TASK_QUEUE`, default `convo`). */
  taskQueue: string;
}

/** The task queue used when `CONVO_TASK_QUEUE` is unset. */
export const DEFAULT_TASK_QUEUE = 'convo';

const TaskQueueEnv = z.object({ CONVO_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE) });

/**
 * Reads the connection settings and the task queue.
 * @throws ConfigError for settings that do not parse (the message of {@link loadTemporalSettings}, or the variable).
 */
export function loadConnectionConfig(env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  const { CONVO_TASK_QUEUE } = parseEnv(TaskQueueEnv, env);
  let temporal: TemporalSettings;
  try {
    temporal = loadTemporalSettings(env);
  } catch (err) {
    if (err instanceof TemporalSettingsError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    temporalAuth: temporal.auth,
    taskQueue: CONVO_TASK_QUEUE,
  };
}

/** One line for logs: address, namespace, and whether TLS and an API key are used (never the key). */
export function describeConnection(config: {
  temporalAddress: string;
  namespace: string;
  temporalAuth: TemporalAuth;
}): string {
  const extras = [
    config.temporalAuth.tls ? 'TLS' : undefined,
    config.temporalAuth.hasApiKey ? 'API key' : undefined,
  ].filter(Boolean);
  return `${config.temporalAddress} namespace ${config.namespace}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

function describeSource(vars: Record<string, string>): string {
  const file = vars.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml';
  return `profile ${vars.TEMPORAL_PROFILE ?? 'default'} of ${file} and TEMPORAL_* variables`;
}
