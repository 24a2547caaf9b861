/**
 * Configuration from the environment, parsed with zod. One place for every address, task queue and binary, shared
 * by the worker, the client and the `convo` command.
 */
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadTemporalSettings, TemporalSettingsError, type TemporalAuth } from './connection.js';
import { DEFAULT_OPENCODE_MODEL, defaultBaseUrl, type OpencodeSettings } from './activities/opencode/settings.js';
import { ConfigError, emptyAsUnset, parseEnv, resolveBinary } from './config/env.js';
import { bundledClaudePath, bundledOpencodePath, dataDir } from './paths.js';

// TEMPORAL_* variables are read by src/connection.ts (Temporal's envconfig).

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID_RULE = '1-64 letters, digits, ".", "_" or "-"';
const KEY_RULE = 'must be the base64 of exactly 32 bytes (make one with `openssl rand -base64 32`)';

/** The 32 bytes of a base64 (standard or URL-safe, padding optional) AES-256 key, or undefined for anything else. */
function keyBytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** The key id used when none is given: the first 8 hex digits of the key's SHA-256 (never the key itself). */
export function defaultKeyId(key: Buffer | KeyObject): string {
  const bytes = Buffer.isBuffer(key) ? key : key.export();
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}

const Env = z.object({
  CONVO_TASK_QUEUE: z.string().min(1).default('convo'),
  CLAUDE_PATH: z.string().min(1).optional(),
  OPENCODE_PATH: z.string().min(1).optional(),
  CONVO_OPENCODE_MODEL: z.preprocess(emptyAsUnset, z.string().regex(/^[\w.-]+\/\S+$/, 'must be provider/model, e.g. anthropic/claude-sonnet-4-5').default(DEFAULT_OPENCODE_MODEL)),
  CONVO_OPENCODE_SMALL_MODEL: z.preprocess(emptyAsUnset, z.string().regex(/^[\w.-]+\/\S+$/, 'must be provider/model').optional()),
  CONVO_OPENCODE_BASE_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  CONVO_OPENCODE_RELAY: z.preprocess(emptyAsUnset, z.enum(['0', '1', 'false', 'true']).default('1')),
  CONVO_CLI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(0),
  CONVO_HUNG_AFTER_S: z.coerce.number().positive().default(600),
  CONVO_HEARTBEAT_INTERVAL_S: z.coerce.number().positive().default(5),
  CONVO_WORK_DIR: z.string().min(1).optional(),
  CONVO_ACCOUNT: z.string().min(1).default('default'),
  CONVO_SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(60),
  CONVO_TRANSCRIPT_DIR: z.string().min(1).optional(),
  CONVO_TRANSCRIPT_S3_BUCKET: z.string().min(1).optional(),
  CONVO_TRANSCRIPT_S3_PREFIX: z.string().optional(),
  CONVO_TRANSCRIPT_S3_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().min(1).optional(),
  CONVO_INLINE_SEGMENT_MAX_BYTES: z.coerce.number().int().min(0).default(32 * 1024),
  CONVO_INLINE_TOTAL_MAX_BYTES: z.coerce.number().int().min(0).max(1024 * 1024).default(256 * 1024),
  CONVO_MAX_SEGMENTS: z.coerce.number().int().min(1).default(64),
  CONVO_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
});

/** The payload encryption variables (also parsed alone, by the commands that need nothing else). */
const EncryptionEnv = z.object({
  // Never echo these values in a message: they are secrets.
  CONVO_ENCRYPTION_KEY: z.preprocess(
    emptyAsUnset,
    z.string().trim().refine((v) => keyBytes(v) !== undefined, KEY_RULE).optional(),
  ),
  CONVO_ENCRYPTION_KEY_ID: z.preprocess(emptyAsUnset, z.string().trim().regex(KEY_ID, `must be ${KEY_ID_RULE}`).optional()),
  CONVO_DECRYPTION_KEYS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : decryptionKeysProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ),
});

const FullEnv = Env.extend(EncryptionEnv.shape);

/**
 * Payload encryption keys (AES-256-GCM), from `CONVO_ENCRYPTION_KEY`, `CONVO_ENCRYPTION_KEY_ID` and
 * `CONVO_DECRYPTION_KEYS`. Keys are `KeyObject`s, which neither `JSON.stringify` nor `console.log` print.
 */
export interface EncryptionKeys {
  /** Id of the key new payloads are encrypted with; undefined when only old keys are held (decrypt only). */
  encryptKeyId?: string;
  /** Every key held, by id: the current one and the old ones that only decrypt. */
  keys: ReadonlyMap<string, KeyObject>;
}

/** Why a `CONVO_DECRYPTION_KEYS` value does not parse (naming the entry by position and id, never its key). */
function decryptionKeysProblem(value: string): string | undefined {
  for (const [i, { id, key }] of decryptionKeyEntries(value).entries()) {
    if (id !== undefined && !KEY_ID.test(id)) return `entry ${i + 1}: key id must be ${KEY_ID_RULE}`;
    if (!keyBytes(key)) return `entry ${i + 1}${id ? ` (id ${id})` : ''}: key ${KEY_RULE}`;
  }
  return undefined;
}

/** The `id:base64` (or bare `base64`) entries of a `CONVO_DECRYPTION_KEYS` value, as written (not yet checked). */
function decryptionKeyEntries(value: string): Array<{ id?: string; key: string }> {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      return colon === -1 ? { key: entry } : { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
    });
}

/**
 * The encryption keys of parsed (already validated) variables; undefined when none is set.
 * @throws ConfigError when a key id is given without a key, or two keys share an id.
 */
function encryptionKeys(e: z.output<typeof EncryptionEnv>): EncryptionKeys | undefined {
  const { CONVO_ENCRYPTION_KEY: key, CONVO_ENCRYPTION_KEY_ID: keyId, CONVO_DECRYPTION_KEYS: decryptionKeys } = e;
  if (keyId && !key) throw new ConfigError('invalid environment variable CONVO_ENCRYPTION_KEY_ID: set without CONVO_ENCRYPTION_KEY');
  const keys = new Map<string, KeyObject>();
  const add = (variable: string, id: string | undefined, text: string): string => {
    const bytes = keyBytes(text)!;
    const kid = id ?? defaultKeyId(bytes);
    const secret = createSecretKey(bytes);
    if (keys.get(kid)?.equals(secret) === false) {
      throw new ConfigError(`invalid environment variable ${variable}: key id ${kid} is given twice with different keys`);
    }
    keys.set(kid, secret);
    return kid;
  };
  const encryptKeyId = key === undefined ? undefined : add('CONVO_ENCRYPTION_KEY_ID', keyId, key);
  for (const { id, key: old } of decryptionKeyEntries(decryptionKeys ?? '')) add('CONVO_DECRYPTION_KEYS', id, old);
  return keys.size === 0 ? undefined : { encryptKeyId, keys };
}

/** Parsed configuration. Durations in ms. */
export interface Config {
  /** `host:port` of the Temporal frontend (envconfig profile or `TEMPORAL_ADDRESS`; default `localhost:7233`). */
  temporalAddress: string;
  /** Temporal namespace (profile or `TEMPORAL_NAMESPACE`; default `default`). */
  namespace: string;
  /** TLS, API key and gRPC metadata for the connection (profile and `TEMPORAL_*`); see src/connection.ts. The
   * secrets inside never show in logs or JSON. */
  temporalAuth: TemporalAuth;
  taskQueue: string;
  /** Path of the `claude` binary: `CLAUDE_PATH`, else the one installed with the project, else `claude` on PATH. */
  claudePath: string;
  /** opencode backend: binary (`OPENCODE_PATH`, else the one installed with the project, else `opencode` on PATH),
   * model, base URL, relay. */
  opencode: OpencodeSettings;
  cliMaxRetries: number;
  hungAfterMs: number;
  heartbeatIntervalMs: number;
  /** Where turns make their private config dirs. */
  workDir: string;
  /** On SIGTERM/SIGINT a worker takes no new turns and lets running ones finish for this long, ms; then it cancels
   * them (killing their CLIs) and Temporal retries them on another worker. */
  shutdownGraceMs: number;
  /** The account new conversations belong to: conversations of one account share its usage limit. */
  account: string;
  /** Directory of the transcript store (claim check); shared by every worker and by clients that read transcripts. */
  transcriptDir: string;
  /** When set, transcripts are stored in this S3-compatible bucket instead of `transcriptDir`. */
  transcriptS3?: { bucket: string; prefix?: string; endpoint?: string; region?: string };
  /** What stays inline in workflow history, bytes; the rest goes to the transcript store. */
  segmentPolicy: { inlineSegmentMaxBytes: number; inlineTotalMaxBytes: number; maxSegments: number };
  /** `host:port` the worker serves Prometheus metrics on (`/metrics`); unset: no metrics endpoint. */
  metricsAddress?: string;
  /** Payload encryption keys; undefined: payloads are not encrypted (and encrypted ones cannot be read). */
  encryption?: EncryptionKeys;
}

/**
 * Reads the configuration: `CONVO_*` and friends from `env`, and the Temporal connection from Temporal's
 * environment configuration (profile file and `TEMPORAL_*` variables, see src/connection.ts).
 * @throws ConfigError naming the variable or setting that does not parse.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(FullEnv, env);
  let temporal;
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
    taskQueue: e.CONVO_TASK_QUEUE,
    claudePath: resolveBinary(e.CLAUDE_PATH ?? bundledClaudePath() ?? 'claude', env),
    opencode: {
      path: resolveBinary(e.OPENCODE_PATH ?? bundledOpencodePath() ?? 'opencode', env),
      model: e.CONVO_OPENCODE_MODEL,
      smallModel: e.CONVO_OPENCODE_SMALL_MODEL,
      baseUrl: e.CONVO_OPENCODE_BASE_URL?.replace(/\/+$/, '') ?? defaultBaseUrl(e.CONVO_OPENCODE_MODEL, env),
      relay: e.CONVO_OPENCODE_RELAY === '1' || e.CONVO_OPENCODE_RELAY === 'true',
    },
    cliMaxRetries: e.CONVO_CLI_MAX_RETRIES,
    hungAfterMs: e.CONVO_HUNG_AFTER_S * 1000,
    heartbeatIntervalMs: e.CONVO_HEARTBEAT_INTERVAL_S * 1000,
    workDir: e.CONVO_WORK_DIR ?? tmpdir(),
    account: e.CONVO_ACCOUNT,
    shutdownGraceMs: e.CONVO_SHUTDOWN_GRACE_S * 1000,
    transcriptDir: e.CONVO_TRANSCRIPT_DIR ?? join(dataDir, 'transcripts'),
    transcriptS3: e.CONVO_TRANSCRIPT_S3_BUCKET
      ? {
          bucket: e.CONVO_TRANSCRIPT_S3_BUCKET,
          prefix: e.CONVO_TRANSCRIPT_S3_PREFIX,
          endpoint: e.CONVO_TRANSCRIPT_S3_ENDPOINT,
          region: e.AWS_REGION,
        }
      : undefined,
    segmentPolicy: {
      inlineSegmentMaxBytes: e.CONVO_INLINE_SEGMENT_MAX_BYTES,
      inlineTotalMaxBytes: e.CONVO_INLINE_TOTAL_MAX_BYTES,
      maxSegments: e.CONVO_MAX_SEGMENTS,
    },
    metricsAddress: e.CONVO_METRICS_ADDRESS,
    encryption: encryptionKeys(e),
  };
}

/**
 * Reads only the payload encryption keys (`CONVO_ENCRYPTION_KEY`, `CONVO_ENCRYPTION_KEY_ID`,
 * `CONVO_DECRYPTION_KEYS`), for commands that need nothing else (`convo server`, `convo codec-server`).
 * @returns undefined when none is set.
 * @throws ConfigError naming the variable that does not parse (never its value).
 */
export function loadEncryptionKeys(env: NodeJS.ProcessEnv = process.env): EncryptionKeys | undefined {
  return encryptionKeys(parseEnv(EncryptionEnv, env));
}

const CodecAuthEnv = z.object({
  CONVO_CODEC_AUTH_TOKEN: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((v) => v.split(',').map((t) => t.trim()).filter((t) => t !== ''))
      .refine((tokens) => tokens.length > 0 && tokens.every((t) => /^[\x21-\x7e]{16,}$/.test(t)), {
        message: 'must be one or more comma-separated tokens of at least 16 printable characters, no spaces',
      })
      .optional(),
  ),
});

/**
 * The bearer tokens `convo codec-server` accepts, from `CONVO_CODEC_AUTH_TOKEN` (comma-separated, so a new token can
 * be added before the old one is dropped); undefined when unset (no check).
 * @throws ConfigError naming the variable (never its value) when a token is shorter than 16 characters or has spaces.
 */
export function loadCodecAuthTokens(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  return parseEnv(CodecAuthEnv, env).CONVO_CODEC_AUTH_TOKEN;
}

export { ConfigError, resolveBinary };
