/**
 * The worker's activities, built once by {@link createActivities} from injected dependencies.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, type MetricMeter } from '@temporalio/common';
import type { TurnInput, TurnResult } from '../common/conversation.js';
import { joinAccount } from './account.js';
import type { TurnBackend } from './backends/backend.js';
import { backendNames, type LoadedBackends } from './backends/registry.js';
import { runBackendTurn, type TurnDeps } from './turn/run-turn.js';

/** Everything activities need from the worker process: the turn machinery's needs and the backends (`loadBackends`). */
export interface ActivityDeps extends TurnDeps {
  backends: LoadedBackends;
}

/** Name of the counter of finished turn attempts (tags `outcome`, `error_type`, `backend`). */
export const TURNS_METRIC = 'convo_turns';
/** Name of the histogram of turn attempt durations, ms (same tags). */
export const TURN_DURATION_METRIC = 'convo_turn_duration';
/** Bucket bounds of {@link TURN_DURATION_METRIC}, ms: turns take seconds to many minutes. */
export const TURN_DURATION_BUCKETS_MS = [
  1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
];

/** Builds the activities the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs one turn of a conversation on its backend (`input.options.backend`). See `runBackendTurn` for the failures
     * it raises; a backend this worker does not know fails the turn with a non-retryable `CliNotFound`.
     * Each attempt is counted in the worker's metrics ({@link TURNS_METRIC}, {@link TURN_DURATION_METRIC}) with
     * `outcome` `completed` or `failed` and, for a failure, `error_type` (the `ApplicationFailure` type, e.g.
     * `UsageLimit`, or `Cancelled`); the SDK adds `namespace`, `task_queue` and `activity_type`.
     */
    async runTurn(input: TurnInput): Promise<TurnResult> {
      const started = performance.now();
      const record = (outcome: 'completed' | 'failed', errorType: string): void =>
        recordTurn(Context.current().metricMeter, performance.now() - started, {
          outcome,
          error_type: errorType,
          backend: input.options.backend,
        });
      try {
        const result = await runBackendTurn(backendFor(deps.backends, input.options.backend), deps, input);
        record('completed', '');
        return result;
      } catch (err) {
        record('failed', errorTypeOf(err));
        throw err;
      }
    },
    joinAccount,
  };
}

/** @throws ApplicationFailure `CliNotFound` (non-retryable) for a backend no plug-in has. */
function backendFor(backends: LoadedBackends, name: string): TurnBackend {
  const backend = backends.get(name);
  if (backend) return backend;
  throw ApplicationFailure.create({
    type: 'CliNotFound',
    message: `unknown backend ${name} (known: ${backendNames().join(', ')})`,
    nonRetryable: true,
  });
}

function recordTurn(meter: MetricMeter, durationMs: number, tags: Record<string, string>): void {
  meter.createCounter(TURNS_METRIC, 'turns', 'Turn attempts finished by this worker').add(1, tags);
  meter
    .createHistogram(TURN_DURATION_METRIC, 'int', 'ms', 'Duration of turn attempts on this worker')
    .record(Math.max(0, Math.round(durationMs)), tags);
}

function errorTypeOf(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  if (err instanceof CancelledFailure) return 'Cancelled';
  return err instanceof Error ? err.name : 'Unknown';
}

/** The activities' types, for `proxyActivities` in workflow code (imported with `import type` only). */
export type Activities = ReturnType<typeof createActivities>;
