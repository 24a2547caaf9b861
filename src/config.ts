/**
 * Configuration from the environment, parsed with zod. One place for every address, task queue and binary, shared
 * by the worker, the client and the `convo` command.
 */
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { loadTemporalSettings, TemporalSettingsError, type TemporalAuth } from './connection.js';
import { bundledClaudePath, dataDir } from './paths.js';

// TEMPORAL_* variables are read by src/connection.ts (Temporal's envconfig).
const Env = z.object({
  CONVO_TASK_QUEUE: z.string().min(1).default('convo'),
  CLAUDE_PATH: z.string().min(1).optional(),
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
}

/** Thrown for an environment variable that does not parse; the message names it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration: `CONVO_*` and friends from `env`, and the Temporal connection from Temporal's
 * environment configuration (profile file and `TEMPORAL_*` variables, see src/connection.ts).
 * @throws ConfigError naming the variable or setting that does not parse.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
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
  };
}

/** A bare command name looked up on PATH, as a shell would; paths and names not found are returned as given. */
export function resolveBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (isAbsolute(name) || name.includes('/')) return name;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return name;
}
