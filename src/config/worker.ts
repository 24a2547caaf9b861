/**
 * What a worker needs besides its backends (each backend reads its own settings, e.g. `CLAUDE_PATH`, in
 * `src/activities/backends/<name>/settings.ts`): where Temporal is, the task queue, the turn bounds, where turns make
 * their directories, the transcript store and what stays inline in history, metrics, and the payload keys.
 */
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { EncryptionEnv, encryptionKeys, type EncryptionKeys } from './codec-keys.js';
import { loadConnectionConfig, type ConnectionConfig } from './connection.js';
import { parseEnv } from './env.js';
import { StoreEnv, storeConfig, type StoreConfig } from './store.js';

/** Default {@link WarmSettings.max}: live CLI processes a worker keeps between turns. */
export const DEFAULT_WARM_MAX = 4;
/** Default {@link WarmSettings.idleMs}, s: Anthropic's prompt cache lives 5 minutes, so a longer wait gains little. */
export const DEFAULT_WARM_IDLE_S = 300;

const WorkerEnv = z
  .object({
    CONVO_HUNG_AFTER_S: z.coerce.number().positive().default(600),
    CONVO_HEARTBEAT_INTERVAL_S: z.coerce.number().positive().default(5),
    CONVO_WORK_DIR: z.string().min(1).optional(),
    CONVO_SHUTDOWN_GRACE_S: z.coerce.number().min(0).default(60),
    CONVO_INLINE_SEGMENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(32 * 1024),
    CONVO_INLINE_TOTAL_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(1024 * 1024)
      .default(256 * 1024),
    CONVO_MAX_SEGMENTS: z.coerce.number().int().min(1).default(64),
    CONVO_MAX_CONCURRENT_TURNS: z.coerce.number().int().min(1).optional(),
    CONVO_WARM_MAX: z.coerce.number().int().min(0).default(DEFAULT_WARM_MAX),
    CONVO_WARM_IDLE_S: z.coerce.number().positive().default(DEFAULT_WARM_IDLE_S),
    CONVO_WORKSPACES_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
    CONVO_WORKSPACES_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(10 * 1024 ** 3),
    CONVO_CLI_ENV: z
      .string()
      .regex(
        /^\s*([A-Za-z_][A-Za-z0-9_]*\s*(,\s*|$))*$/,
        'must be variable names separated by commas, e.g. GH_TOKEN,NPM_TOKEN',
      )
      .optional(),
    CONVO_METRICS_ADDRESS: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
      .optional(),
  })
  .extend(StoreEnv.shape)
  .extend(EncryptionEnv.shape);

/** The worker's workspace settings. */
export interface WorkspaceSettings {
  /** Where checkouts (`<dir>/<conversation id>`) and the clone cache (`<dir>/.cache/`) live (`CONVO_WORKSPACES_DIR`,
   * default `<system temporary directory>/convo-workspaces`). Keep it the same on every worker: the absolute paths
   * in transcripts then stay true wherever the next turn runs. */
  dir: string;
  /** Bound on the clone cache and checkouts together, bytes (`CONVO_WORKSPACES_MAX_BYTES`, default 10 GiB): least
   * recently used repositories are removed once a run is over and the total is above it. */
  maxBytes: number;
}

/** Warm sessions: how many live CLI processes a worker keeps between turns, and for how long. */
export interface WarmSettings {
  /** Live processes kept at most (`CONVO_WARM_MAX`, default {@link DEFAULT_WARM_MAX}); the least recently used one is
   * ended first. 0: no warm sessions (every turn restores the transcript and spawns the CLI). */
  max: number;
  /** An idle live process is ended after this long, ms (`CONVO_WARM_IDLE_S`, default {@link DEFAULT_WARM_IDLE_S}). */
  idleMs: number;
}

/** What stays inline in workflow history, bytes; the rest goes to the transcript store. */
export interface SegmentPolicy {
  inlineSegmentMaxBytes: number;
  inlineTotalMaxBytes: number;
  maxSegments: number;
}

/** A worker's configuration (without its backends' settings). Durations in ms. */
export interface WorkerConfig extends ConnectionConfig, StoreConfig {
  /** A turn whose CLI shows no sign of life for this long is killed (`CONVO_HUNG_AFTER_S`, default 600 s). */
  hungAfterMs: number;
  /** How often a running turn heartbeats (`CONVO_HEARTBEAT_INTERVAL_S`, default 5 s). */
  heartbeatIntervalMs: number;
  /** Where turns make their private config dirs (`CONVO_WORK_DIR`, default the system's temporary directory). */
  workDir: string;
  /** On SIGTERM/SIGINT a worker takes no new turns and lets running ones finish for this long, ms; then it cancels
   * them (killing their CLIs) and Temporal retries them on another worker (`CONVO_SHUTDOWN_GRACE_S`). */
  shutdownGraceMs: number;
  /** What stays inline in workflow history (`CONVO_INLINE_*`, `CONVO_MAX_SEGMENTS`). */
  segmentPolicy: SegmentPolicy;
  /** Turns this worker runs at once (`CONVO_MAX_CONCURRENT_TURNS`, default {@link defaultMaxConcurrentTurns}); more
   * wait in the task queue for this or another worker. */
  maxConcurrentTurns: number;
  /** More variables of the worker's environment the CLIs get (`CONVO_CLI_ENV`, comma-separated names); Convo's own
   * secrets never, even when named. */
  cliEnvNames: string[];
  /** Where repo-mode checkouts and the clone cache live (`CONVO_WORKSPACES_DIR`, default
   * `<system temporary directory>/convo-workspaces`), and their bound (`CONVO_WORKSPACES_MAX_BYTES`, default 10 GiB). */
  workspaces: WorkspaceSettings;
  /** Warm sessions (`CONVO_WARM_MAX`, `CONVO_WARM_IDLE_S`). */
  warm: WarmSettings;
  /** `host:port` the worker serves Prometheus metrics on (`/metrics`); unset: no metrics endpoint. */
  metricsAddress?: string;
  /** Payload encryption keys; undefined: payloads are not encrypted (and encrypted ones cannot be read). */
  encryption?: EncryptionKeys;
}

/**
 * Reads a worker's configuration from `env`, and the Temporal connection from Temporal's environment configuration
 * (see ./connection.ts).
 * @throws ConfigError naming the variable or setting that does not parse.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(WorkerEnv, env);
  return {
    ...loadConnectionConfig(env),
    hungAfterMs: e.CONVO_HUNG_AFTER_S * 1000,
    heartbeatIntervalMs: e.CONVO_HEARTBEAT_INTERVAL_S * 1000,
    workDir: e.CONVO_WORK_DIR ?? tmpdir(),
    shutdownGraceMs: e.CONVO_SHUTDOWN_GRACE_S * 1000,
    ...storeConfig(e),
    segmentPolicy: {
      inlineSegmentMaxBytes: e.CONVO_INLINE_SEGMENT_MAX_BYTES,
      inlineTotalMaxBytes: e.CONVO_INLINE_TOTAL_MAX_BYTES,
      maxSegments: e.CONVO_MAX_SEGMENTS,
    },
    maxConcurrentTurns: e.CONVO_MAX_CONCURRENT_TURNS ?? defaultMaxConcurrentTurns(),
    cliEnvNames: (e.CONVO_CLI_ENV ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
    workspaces: {
      dir: e.CONVO_WORKSPACES_DIR ?? join(tmpdir(), 'convo-workspaces'),
      maxBytes: e.CONVO_WORKSPACES_MAX_BYTES,
    },
    warm: { max: e.CONVO_WARM_MAX, idleMs: e.CONVO_WARM_IDLE_S * 1000 },
    metricsAddress: e.CONVO_METRICS_ADDRESS,
    encryption: encryptionKeys(e),
  };
}

/** Memory a turn is given, bytes: a waiting `claude` 2.1.330 holds about 200 MB resident, plus its tools and MCP servers. */
export const TURN_MEMORY_BYTES = 300 * 1024 * 1024;

/**
 * The default bound on a worker's concurrent turns: `min(cores × 4, ¾ of memory / 300 MB)`, at least 1. A turn mostly
 * waits on the model, so a core serves several; memory is what runs out first on small machines (50 turns at once
 * took 9.4 GB), and a quarter of it stays for the worker, the tools' bursts and the system.
 * @param cores default: `os.availableParallelism()`; @param memoryBytes default: `os.totalmem()`.
 */
export function defaultMaxConcurrentTurns(cores = availableParallelism(), memoryBytes = totalmem()): number {
  return Math.max(1, Math.min(cores * 4, Math.floor((memoryBytes * 0.75) / TURN_MEMORY_BYTES)));
}
