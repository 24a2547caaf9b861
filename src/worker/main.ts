/**
 * `convo worker`: runs a worker in the foreground until SIGINT or SIGTERM.
 */
import { Runtime } from '@temporalio/worker';
import { loadBackends } from '../activities/backends/registry.js';
import { TURN_DURATION_BUCKETS_MS, TURN_DURATION_METRIC } from '../activities/index.js';
import { loadWorkerConfig, type WorkerConfig } from '../config/worker.js';
import { describeConnection } from '../config/connection.js';
import { createConvoWorker } from './worker.js';
import { matchesEnvName, NEVER_CLI_ENV } from '../activities/turn/cli-env.js';

/** `CONVO_CLI_ENV`'s names for the start line, saying which of them are Convo's own secrets and never passed. */
export function describeCliEnv(names: readonly string[]): string {
  const never = names.filter((n) => matchesEnvName(n, NEVER_CLI_ENV));
  const passed = names.filter((n) => !never.includes(n));
  return [passed.join(', '), never.length ? `(never: ${never.join(', ')}, Convo's own secrets)` : '']
    .filter(Boolean)
    .join(' ');
}

/**
 * Installs the SDK runtime with a Prometheus endpoint on `config.metricsAddress` (`GET /metrics`), when set. Must run
 * before the process's first Temporal connection or worker, and at most once per process.
 * @throws IllegalStateError (from the SDK) when the runtime was already created.
 */
export function installMetrics(config: Pick<WorkerConfig, 'metricsAddress'>): void {
  if (!config.metricsAddress) return;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress: config.metricsAddress,
          histogramBucketOverrides: { [TURN_DURATION_METRIC]: TURN_DURATION_BUCKETS_MS },
        },
      },
    },
  });
}

/** Runs a worker with the environment's configuration; resolves when it has shut down. */
export async function runWorker(): Promise<void> {
  const config = loadWorkerConfig();
  const backends = loadBackends();
  installMetrics(config);
  const convo = await createConvoWorker(config, {}, backends);
  const { connection, warm } = convo;
  try {
    const metrics = config.metricsAddress ? `, metrics on http://${config.metricsAddress}/metrics` : '';
    const encryption = config.encryption?.encryptKeyId
      ? `, payloads encrypted with key id ${config.encryption.encryptKeyId}`
      : '';
    const cliEnv = config.cliEnvNames.length > 0 ? `, CLIs also get ${describeCliEnv(config.cliEnvNames)}` : '';
    const warmSessions = warm
      ? `, warm sessions: at most ${warm.pool.settings.max}, idle ${warm.pool.settings.idleMs / 1000} s (task queue ${warm.pool.taskQueue})`
      : ', warm sessions off';
    console.error(
      `convo worker: task queue ${config.taskQueue} on ${describeConnection(config)}, ${backends.describe()}, at most ${config.maxConcurrentTurns} turns at once${warmSessions}${cliEnv}${metrics}${encryption}`,
    );
    // SIGTERM/SIGINT (the SDK's default shutdown signals) stop polling; running turns get the grace period; then the
    // live CLIs of warm sessions are ended.
    await convo.run();
    console.error('convo worker: stopped');
  } finally {
    await connection.close();
  }
}
