/**
 * `npm run bench`: prints Convo's figures and writes them to `bench-results.json`.
 * 1. history bytes against transcript bytes added per turn, over a long conversation (default 200 turns, ~50 KB each);
 * 2. restore + capture time of 1, 10 and 50 MB transcripts (stored segments, SHA-256 checks, parse check);
 * 3. peak worker memory with 50 conversations running a turn at once;
 * 4. the per-turn cost of a repo workspace (checkout, commit and push) for a repository of about 5,000 files and
 *    50 MB, on a worker with the clone cached and on a cold one;
 * 5. `latency`: the median turn through Convo, cold, warm and with warm sessions off, against a bare
 *    `claude --print --resume` spawn (see `latency.ts`).
 * `BENCH_TURNS`, `BENCH_REPLY_BYTES`, `BENCH_CONCURRENT`, `BENCH_WORKSPACE_TURNS` and `BENCH_LATENCY_TURNS` change the
 * sizes; `BENCH_PARTS` (e.g. `history`, or `history,workspace`; default all: `history,restore,memory,workspace,latency`)
 * runs only some parts, and the others' figures stay in `bench-results.json` as they were (`dates` says when each part
 * last ran).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { captureTranscript, restoreTranscript, transcriptPath } from '../activities/backends/claude/transcript.js';
import { readSegments } from '../activities/turn/transcript-segments.js';
import type { TranscriptSegment } from '../common/conversation.js';
import { projectRoot } from '../paths.js';
import { LocalTranscriptStore } from '../storage/transcript-store.js';
import { ScriptedModelServer } from '../testing/index.js';
import { contentForTurn } from './content.js';
import { latency } from './latency.js';
import { runLongConversation } from './long-conversation.js';
import { startStack } from './stack.js';
import { workspaceCost } from './workspace-cost.js';

const MB = 1024 * 1024;

/** A transcript of about `bytes` of Claude Code-like JSONL records holding realistic content. */
function syntheticTranscript(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = JSON.stringify({
      type: i % 2 ? 'assistant' : 'user',
      uuid: `u-${i}`,
      message: { content: [{ type: 'text', text: contentForTurn(i, 20_000) }] },
    });
    lines.push(line);
    size += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function restoreAndCapture(sizeMb: number): Promise<{ sizeMb: number; restoreMs: number; captureMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'convo-bench-'));
  try {
    const store = new LocalTranscriptStore(join(dir, 'store'));
    const data = syntheticTranscript(sizeMb * MB);
    const segments: TranscriptSegment[] = [await store.put('bench', data)];
    const path = transcriptPath(join(dir, 'config'), '/work', 'session');
    const samples: Array<{ restoreMs: number; captureMs: number }> = [];
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      const before = await readSegments(store, segments);
      await restoreTranscript(path, before);
      const restoreMs = performance.now() - t;
      // What a turn appends: ~50 KB.
      await writeFile(path, Buffer.concat([before, syntheticTranscript(50_000)]));
      t = performance.now();
      await captureTranscript(path, before, segments, store, 'bench');
      samples.push({ restoreMs, captureMs: performance.now() - t });
    }
    const median = (k: 'restoreMs' | 'captureMs') => samples.map((s) => s[k]).sort((a, b) => a - b)[1]!;
    return { sizeMb, restoreMs: Math.round(median('restoreMs')), captureMs: Math.round(median('captureMs')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Peak RSS (VmHWM) of a process, bytes; 0 when it is gone. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function concurrentMemory(
  conversations: number,
): Promise<{ conversations: number; workerPeakRssMb: number; cliPeakTotalRssMb: number; wallMs: number }> {
  const model = await ScriptedModelServer.start({ maxReportedInputTokens: 2000, keepMessages: false });
  // Every turn is held until all of them have reached the model: they really run at once.
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  let arrived = 0;
  model.replyWith(() => {
    if (++arrived === conversations) release();
    return { text: contentForTurn(arrived, 50_000), hold: all };
  });
  // Every conversation's turn at once: past the worker's default bound (CONVO_MAX_CONCURRENT_TURNS), which is the point.
  const { client, worker, dir, dispose } = await startStack('mem', model, {
    CONVO_MAX_CONCURRENT_TURNS: String(conversations),
  });
  let cliPeak = 0;
  const sampler = setInterval(() => {
    void execa('ps', ['-o', 'rss=', '--ppid', String(worker.pid)], { reject: false }).then((r) => {
      const total = r.stdout.split('\n').reduce((n, l) => n + Number(l.trim() || 0), 0) * 1024;
      cliPeak = Math.max(cliPeak, total);
    });
  }, 250);
  try {
    const ids = await Promise.all(Array.from({ length: conversations }, () => client.start({ cwd: dir })));
    const started = Date.now();
    await Promise.all(ids.map((id, i) => client.ask(id, `turn ${i}`)));
    const wallMs = Date.now() - started;
    return {
      conversations,
      workerPeakRssMb: Math.round((await peakRss(worker.pid!)) / MB),
      cliPeakTotalRssMb: Math.round(cliPeak / MB),
      wallMs,
    };
  } finally {
    clearInterval(sampler);
    await dispose();
    await model.close();
  }
}

const PARTS = ['history', 'restore', 'memory', 'workspace', 'latency'] as const;

/** The parts `BENCH_PARTS` names (comma-separated), all of them when it is unset. */
function partsToRun(value: string | undefined): Set<string> {
  const parts = value ? value.split(',').map((p) => p.trim()) : [...PARTS];
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`BENCH_PARTS: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return new Set(parts);
}

async function main(): Promise<void> {
  const turns = Number(process.env.BENCH_TURNS ?? 200);
  const replyBytes = Number(process.env.BENCH_REPLY_BYTES ?? 50_000);
  const concurrent = Number(process.env.BENCH_CONCURRENT ?? 50);
  const parts = partsToRun(process.env.BENCH_PARTS);
  const file = join(projectRoot, 'bench-results.json');
  // The figures of the parts that do not run stay as the last run wrote them.
  const results = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  const now = new Date().toISOString();
  // A file from before `dates`: every part ran at its `date`.
  const previous = typeof results.date === 'string' ? results.date : undefined;
  const dates: Record<string, string> =
    (results.dates as Record<string, string> | undefined) ??
    Object.fromEntries(previous ? PARTS.map((p) => [p, previous]) : []);
  Object.assign(results, { date: now, machine: '2 cores, 24 GiB', dates });
  for (const part of parts) dates[part] = now;

  if (parts.has('history')) await historyPart(results, turns, replyBytes);
  if (parts.has('restore')) await restorePart(results);
  if (parts.has('memory')) {
    console.log(`3. peak memory with ${concurrent} conversations running a turn at once`);
    results.memory = await concurrentMemory(concurrent);
    console.log(results.memory);
  }
  if (parts.has('workspace')) {
    const workspaceTurns = Number(process.env.BENCH_WORKSPACE_TURNS ?? 5);
    console.log(`4. per-turn cost of a repo workspace (checkout + commit + push), median of ${workspaceTurns} turns`);
    results.workspace = await workspaceCost(workspaceTurns, (l) => console.log(`   ${l}`));
  }
  if (parts.has('latency')) {
    const latencyTurns = Number(process.env.BENCH_LATENCY_TURNS ?? 12);
    console.log(
      `5. turn latency against a bare claude --print --resume spawn, ${latencyTurns} turns each, alternating`,
    );
    const { samples, ...figures } = await latency(latencyTurns, (l) => console.log(`   ${l}`));
    results.latency = { ...figures, samples };
    console.log(figures);
  }

  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log('written to bench-results.json');
}

/** Part 1: history bytes against transcript bytes added, over `turns` turns of ~`replyBytes` replies. */
async function historyPart(results: Record<string, unknown>, turns: number, replyBytes: number): Promise<void> {
  console.log(`1. history vs transcript growth: ${turns} turns, ~${replyBytes / 1000} KB replies`);
  const long = await runLongConversation(turns, replyBytes, (l) => console.log(`   ${l}`));
  const perTurn = (k: 'historyAdded' | 'transcriptAdded') =>
    Math.round(long.turns.reduce((n, t) => n + t[k], 0) / long.turns.length);
  results.history = {
    turns,
    replyBytes,
    transcriptBytesAddedPerTurn: perTurn('transcriptAdded'),
    historyBytesAddedPerTurn: perTurn('historyAdded'),
    ratio: Number(long.ratio.toFixed(3)),
    steadyRatio: Number(long.steadyRatio.toFixed(3)),
    finalTranscriptMb: Number((long.finalTranscriptBytes / MB).toFixed(1)),
    runs: long.runs.length,
    maxRunHistoryMb: Number((long.maxRunHistoryBytes / MB).toFixed(2)),
    maxPayloadKb: Math.round(long.maxPayloadBytes / 1024),
    medianTurnMs: long.turns.map((t) => t.ms).sort((a, b) => a - b)[Math.floor(long.turns.length / 2)],
  };
  console.log(results.history);
}

/** Part 2: restore and capture times of 1, 10 and 50 MB transcripts. */
async function restorePart(results: Record<string, unknown>): Promise<void> {
  console.log('2. restore + capture of 1, 10 and 50 MB transcripts (median of 3)');
  results.restoreCapture = [];
  for (const size of [1, 10, 50]) {
    const r = await restoreAndCapture(size);
    (results.restoreCapture as unknown[]).push(r);
    console.log(`   ${size} MB: restore ${r.restoreMs} ms, capture ${r.captureMs} ms`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
