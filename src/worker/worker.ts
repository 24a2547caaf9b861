/**
 * Building a Convo worker: the conversation workflow plus the turn activity, on the configured task queue.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { isBackendCli, loadBackends, secretEnvVars, type LoadedBackends } from '../activities/backends/registry.js';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { CONVO_SECRET_ENV } from '../activities/turn/cli-env.js';
import { removeStaleTurnDirs } from '../activities/turn/turn-dir.js';
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
 */
export function activityDeps(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv = process.env,
  backends: LoadedBackends = loadBackends(env),
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
  };
}

/**
 * Connects to Temporal and creates a worker. Payloads are compressed, and encrypted when `config.encryption` has a
 * current key. The caller runs it (`worker.run()`) and closes `connection` after.
 * @param overrides extra `Worker.create` options (tests use them for shutdown timing).
 * @param backends the backends with their settings (see {@link loadBackends}); default: read from `process.env`.
 */
export async function createConvoWorker(
  config: WorkerConfig,
  overrides: Partial<WorkerOptions> = {},
  backends: LoadedBackends = loadBackends(),
): Promise<{ worker: Worker; connection: NativeConnection }> {
  await removeStaleTurnDirs(config.workDir, isBackendCli);
  const connection = await NativeConnection.connect(connectionOptions(config));
  try {
    await ensureSearchAttributes(connection, config.namespace);
    const prebuiltBundlePath = prebuiltBundlePaths[encodesFailures(config) ? 'encodedFailures' : 'plain'];
    const useBundle = moduleExtension === '.js' && existsSync(prebuiltBundlePath);
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(useBundle ? { workflowBundle: { codePath: prebuiltBundlePath } } : { workflowsPath }),
      activities: createActivities(activityDeps(config, process.env, backends)),
      // Activity failures are encoded by this converter, workflow failures by the bundle's (built with the same one).
      dataConverter: {
        ...createDataConverter(config),
        ...(encodesFailures(config) ? { failureConverterPath: encodingFailureConverterPath } : {}),
      },
      shutdownGraceTime: config.shutdownGraceMs,
      // Turns are this worker's only activities (besides joining an account, which is quick): the bound on them.
      maxConcurrentActivityTaskExecutions: config.maxConcurrentTurns,
      // Turn progress (heartbeat details) reaches the server, the Web UI and `convo watch` within about a second;
      // the SDK's default would hold it back for up to 80% of the heartbeat timeout (24 s).
      maxHeartbeatThrottleInterval: '1 second',
      ...overrides,
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
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
