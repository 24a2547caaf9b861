/**
 * Today's workflow code replays the event histories that earlier Convo versions wrote (test/fixtures/histories,
 * recorded with `npm run record-history -- NAME` from a checkout of each version), so conversations that are running
 * when workers are upgraded go on instead of failing their workflow tasks with a nondeterminism error.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { projectRoot } from '../../src/paths.js';
import { workflowsPath } from '../../src/worker/worker.js';

const dir = join(projectRoot, 'test', 'fixtures', 'histories');
const History = proto.temporal.api.history.v1.History;
type History = proto.temporal.api.history.v1.History;

let bundle: { code: string };
beforeAll(async () => {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
});

async function load(name: string): Promise<History> {
  return History.decode(await readFile(join(dir, name)));
}

/** The patch ids a history's markers record, and the summaries of its timers (gzip payloads decoded). */
async function describe(history: History): Promise<{ patches: string[]; timers: string[] }> {
  const [codec] = createDataConverter({ encryption: undefined }).payloadCodecs!;
  const text = async (payload: proto.temporal.api.common.v1.IPayload | null | undefined) =>
    payload ? Buffer.from((await codec!.decode([payload]))[0]!.data!).toString() : '';
  const patches: string[] = [];
  const timers: string[] = [];
  for (const e of history.events) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch')
      patches.push(JSON.parse(await text(marker.details!['patch-data']!.payloads![0])).id);
    if (e.timerStartedEventAttributes) timers.push(JSON.parse(await text(e.userMetadata?.summary)));
  }
  return { patches, timers };
}

test('the fixtures are what they claim: before the Web UI work, before the details refresh, with it, with issues 11, 12 and 14', async () => {
  // Issues 2-4 (36fbf5d): no patches at all.
  expect(await describe(await load('before-visibility-36fbf5d.binpb'))).toEqual({ patches: [], timers: [] });
  const before = await describe(await load('before-details-refresh-3406077.binpb'));
  expect(before).toEqual({ patches: ['convo-visibility'], timers: [] });
  const after = await describe(await load('details-refresh.binpb'));
  expect(after.patches).toEqual(['convo-visibility', 'convo-elapsed']);
  expect(after.timers.length).toBeGreaterThan(3);
  expect(after.timers.every((t) => /^refresh current details: turn \d running$/.test(t))).toBe(true);
  // Issue 11: configure, a configured turn and a compaction, with the CostUsd upserts behind their own patch.
  const agent = await describe(await load('agent-options.binpb'));
  expect(agent.patches).toEqual(['convo-visibility', 'convo-elapsed', 'convo-agent-options']);
  // Issue 12: the same, plus a Bash call that waited for approval and ran once approved (no patch of its own: only
  // a run that returns a paused call takes that path).
  const approvals = await describe(await load('approvals.binpb'));
  expect(approvals.patches).toEqual(['convo-visibility', 'convo-elapsed', 'convo-agent-options']);
  // Issue 14: turns on a warm session's task queue, and two that waited for a warm worker that was gone (a
  // schedule-to-start timeout) and ran on the shared queue.
  const warm = await load('warm-sessions.binpb');
  expect((await describe(warm)).patches).toEqual([
    'convo-visibility',
    'convo-elapsed',
    'convo-agent-options',
    'convo-warm',
  ]);
  const queues = warm.events.flatMap((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name ?? []);
  expect(queues.filter((q) => q.includes('-warm-')).length).toBeGreaterThanOrEqual(3);
  expect(warm.events.filter((e) => e.activityTaskTimedOutEventAttributes).length).toBe(2);
});

test("every recorded history replays on today's workflow code", async () => {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.binpb')).sort();
  expect(names.length).toBeGreaterThanOrEqual(6);
  for (const name of names) {
    const history = await load(name);
    // Throws DeterminismViolationError (or a workflow task failure) when the code no longer matches the history.
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: createDataConverter({ encryption: undefined }), replayName: name },
      history,
      `replay-${name}`,
    );
  }
});
