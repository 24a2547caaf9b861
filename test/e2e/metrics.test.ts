/**
 * Prometheus metrics: a worker started with CONVO_METRICS_ADDRESS serves the SDK's worker metrics and Convo's own
 * turn metrics (`convo_turns`, `convo_turn_duration`) on GET /metrics.
 */
import { rm } from 'node:fs/promises';
import { TurnFailedError } from '../../src/client/client.js';
import { freePort } from '../../src/server/free-port.js';
import { World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('metrics');
});
afterAll(async () => world?.dispose());

/** One sample of the Prometheus text format: `name{k="v",...} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

test('a worker with CONVO_METRICS_ADDRESS serves SDK worker metrics and counts turns by outcome and error type', async () => {
  const port = await freePort();
  const worker = await world.startWorker('metered', { CONVO_METRICS_ADDRESS: `127.0.0.1:${port}` });
  expect(worker.output).toContain(`metrics on http://127.0.0.1:${port}/metrics`);

  const id = await world.client.start({ cwd: await world.workspace('metrics') });
  expect((await world.client.ask(id, 'count me')).reply).toContain('count me');
  // A turn that fails at once (its cwd is gone on the worker): counted as failed with its type.
  const gone = await world.workspace('gone');
  const failing = await world.client.start({ cwd: gone });
  await rm(gone, { recursive: true });
  const failure = await world.client.ask(failing, 'no cwd').catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(TurnFailedError);
  expect((failure as TurnFailedError).type).toBe('CwdNotFound');

  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const samples = parseMetrics(await response.text());
  const tq = world.config.taskQueue;

  // The SDK's own worker metrics, for this worker's task queue.
  expect(valueOf(samples, 'temporal_worker_start', { task_queue: tq })).toBe(1);
  expect(
    valueOf(samples, 'temporal_activity_execution_latency_count', { task_queue: tq, activity_type: 'runTurn' }),
  ).toBe(2);
  expect(valueOf(samples, 'temporal_workflow_task_execution_latency_count', { task_queue: tq })).toBeGreaterThan(0);

  // Convo's turn counter: exported as `convo_turns` (no prefix, no _total suffix), tagged by the SDK with the
  // activity's namespace, task queue and type.
  const common = { taskQueue: tq, namespace: world.config.namespace, activityType: 'runTurn', backend: 'claude' };
  expect(valueOf(samples, 'convo_turns', { ...common, outcome: 'completed', error_type: '' })).toBe(1);
  expect(valueOf(samples, 'convo_turns', { ...common, outcome: 'failed', error_type: 'CwdNotFound' })).toBe(1);

  // The duration histogram, with Convo's buckets (up to an hour) instead of the SDK's default ones.
  expect(valueOf(samples, 'convo_turn_duration_count', { ...common, outcome: 'completed' })).toBe(1);
  const completedMs = valueOf(samples, 'convo_turn_duration_sum', { ...common, outcome: 'completed' })!;
  expect(completedMs).toBeGreaterThan(0);
  expect(completedMs).toBeLessThan(60_000);
  expect(valueOf(samples, 'convo_turn_duration_bucket', { ...common, outcome: 'completed', le: '3600000' })).toBe(1);
});

test('a worker refuses a CONVO_METRICS_ADDRESS that is not host:port, in one line', async () => {
  const result = await world.convo(['worker'], undefined, { CONVO_METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics' });
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim()).toBe(
    'convo: invalid environment variable CONVO_METRICS_ADDRESS: must be host:port, e.g. 0.0.0.0:9464',
  );
});
