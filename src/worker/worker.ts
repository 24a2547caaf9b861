/**
 * Building a Convo worker: the conversation workflow plus the turn activity, on the configured task queue, and the
 * turn activity on the worker's own warm task queue.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { isBackendCli, loadBackends, secretEnvVars, type LoadedBackends } from '../activities/backends/registry.js';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { CONVO_SECRET_ENV } from '../activities/turn/cli-env.js';
import { removeStaleTurnDirs } from '../activities/turn/turn-dir.js';
import { WarmPool } from '../activities/warm/pool.js';
import { createDataConverter, encodesFailures, encodingFailureConverterPath } from '../codec/data-converter.js';
import type { WorkerConfig } from '../config/worker.js';
import { connectionOptions } from '../config/connection.js';
import { moduleExtension } from '../paths.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { createTranscriptStore } from '../storage/transcript-store.js';

/** The workflow code's entry module. */
export const workflowsPath = fileURLToPath(new URL(`../workflows/index${moduleExtension}`, import.meta.url));

/**
 * The workflow bundles `npm run build` writes, so that workers start without running webpack: one with Temporal's
 * default failure converter, one with the converter that encodes failures (for workers that encrypt payloads).
 */
export const prebuiltBundlePaths = {
  plain: fileURLToPath(new URL('../workflow-bundle.js', import.meta.url)),
  encodedFailures: fileURLToPath(new URL('../workflow-bundle-encoded-failures.js', import.meta.url)),
};

/**
 * Activity dependencies from the worker's configuration and this process's environment.
 * @param backends the backends with their settings; default: read from `env` (throws ConfigError naming a variable
 *   that does not parse).
 * @param warm the worker's warm sessions; undefined: none.
 */
export function activityDeps(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv = process.env,
  backends: LoadedBackends = loadBackends(env),
  warm?: WarmPool,
): ActivityDeps {
  return {
    backends,
    // Every secret the worker holds: each backend's provider keys and Convo's own.
    secretEnvVars: [...secretEnvVars(), ...CONVO_SECRET_ENV],
    cliEnvNames: config.cliEnvNames,
    hungAfterMs: config.hungAfterMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    workDir: config.workDir,
    workspaces: config.workspaces,
    env,
    now: () => new Date(),
    store: createTranscriptStore(config),
    segmentPolicy: config.segmentPolicy,
    ...(warm && { warm }),
  };
}

/** The task queue of this worker process's warm sessions: the shared one's name, the host, the pid and a nonce. */
export function warmTaskQueue(taskQueue: string): string {
  return `${taskQueue}-warm-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/**
 * A Convo worker: the Temporal worker of the shared task queue (the conversation workflow and the turn activity), and
 * with warm sessions on, a second one of the same process on a task queue of its own, where the turns of the
 * conversations whose CLI it keeps alive come (the same activities; see `src/activities/warm/`).
 */
export interface ConvoWorker {
  /** The worker of the shared task queue. */
  worker: Worker;
  /** The worker of this process's warm task queue and its live sessions; undefined with `CONVO_WARM_MAX=0`. */
  warm?: { worker: Worker; pool: WarmPool };
  /** The connection both use; close it after {@link run}. */
  connection: NativeConnection;
  /**
   * Runs both workers until they shut down (SIGINT/SIGTERM, `shutdown`, or one fails), then ends the live sessions.
   * Running only `worker` leaves the warm task queue unserved: turns sent there fall back to the shared one after a
   * few seconds each.
   */
  run(): Promise<void>;
  /** Runs both workers while `work` runs, then shuts them down (as {@link run} ends) and returns its result. */
  runUntil<R>(work: () => Promise<R>): Promise<R>;
  /** Asks both workers to stop (running turns get the shutdown grace). */
  shutdown(): void;
}

/**
 * Connects to Temporal and creates a worker. Payloads are compressed, and encrypted when `config.encryption` has a
 * current key. The caller runs it (`run()`) and closes `connection` after.
 * @param overrides extra `Worker.create` options for both workers (tests use them for shutdown timing).
 * @param backends the backends with their settings (see {@link loadBackends}); default: read from `process.env`.
 */
export async function createConvoWorker(
  config: WorkerConfig,
  overrides: Partial<WorkerOptions> = {},
  backends: LoadedBackends = loadBackends(),
): Promise<ConvoWorker> {
  await removeStaleTurnDirs(config.workDir, isBackendCli);
  const connection = await NativeConnection.connect(connectionOptions(config));
  try {
    await ensureSearchAttributes(connection, config.namespace);
    const prebuiltBundlePath = prebuiltBundlePaths[encodesFailures(config) ? 'encodedFailures' : 'plain'];
    const useBundle = moduleExtension === '.js' && existsSync(prebuiltBundlePath);
    const shared: { worker?: Worker } = {};
    const pool =
      config.warm.max > 0
        ? new WarmPool({
            ...config.warm,
            taskQueue: warmTaskQueue(config.taskQueue),
            // No session is kept once the worker stops taking turns.
            accepting: () => shared.worker?.getState() === 'RUNNING',
          })
        : undefined;
    const activities = createActivities(activityDeps(config, process.env, backends, pool));
    const common: Omit<WorkerOptions, 'taskQueue'> = {
      connection,
      namespace: config.namespace,
      activities,
      // Activity failures are encoded by this converter, workflow failures by the bundle's (built with the same one).
      dataConverter: {
        ...createDataConverter(config),
        ...(encodesFailures(config) ? { failureConverterPath: encodingFailureConverterPath } : {}),
      },
      shutdownGraceTime: config.shutdownGraceMs,
      // Turn progress (heartbeat details) reaches the server, the Web UI and `convo watch` within about a second;
      // the SDK's default would hold it back for up to 80% of the heartbeat timeout (24 s).
      maxHeartbeatThrottleInterval: '1 second',
    };
    const worker = (shared.worker = await Worker.create({
      ...common,
      taskQueue: config.taskQueue,
      ...(useBundle ? { workflowBundle: { codePath: prebuiltBundlePath } } : { workflowsPath }),
      // Turns are this worker's only activities (besides joining an account, which is quick): the bound on them.
      maxConcurrentActivityTaskExecutions: config.maxConcurrentTurns,
      ...overrides,
    }));
    // Activities only; a turn per live session at most.
    const warm = pool && {
      pool,
      worker: await Worker.create({
        ...common,
        maxConcurrentActivityTaskExecutions: pool.settings.max,
        ...overrides,
        taskQueue: pool.taskQueue,
      }),
    };
    return convoWorker(worker, connection, warm);
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** {@link ConvoWorker} of the created workers. */
function convoWorker(worker: Worker, connection: NativeConnection, warm: ConvoWorker['warm']): ConvoWorker {
  const workers = warm ? [worker, warm.worker] : [worker];
  const shutdown = (): void => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const run = async (): Promise<void> => {
    const runs = workers.map((w) => w.run());
    try {
      // One failing stops the other.
      await Promise.all(
        runs.map((r) =>
          r.catch((err: unknown) => {
            shutdown();
            throw err;
          }),
        ),
      );
    } finally {
      await Promise.allSettled(runs);
      await warm?.pool.close();
    }
  };
  return {
    worker,
    warm,
    connection,
    run,
    shutdown,
    async runUntil<R>(work: () => Promise<R>): Promise<R> {
      const running = run();
      try {
        return await work();
      } finally {
        shutdown();
        await running;
      }
    },
  };
}

/** Bundles the workflow code into {@link prebuiltBundlePaths} (run by `npm run build`). */
export async function writeWorkflowBundle(): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  const logger = new DefaultLogger('WARN');
  const plain = await bundleWorkflowCode({ workflowsPath, logger });
  await writeFile(prebuiltBundlePaths.plain, plain.code);
  const encoded = await bundleWorkflowCode({
    workflowsPath,
    logger,
    failureConverterPath: encodingFailureConverterPath,
  });
  await writeFile(prebuiltBundlePaths.encodedFailures, encoded.code);
}
