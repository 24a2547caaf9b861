/**
 * Transcripts outside history: with small inline limits the transcript moves into the store, turns restore it from
 * there on any worker (checking SHA-256), and history holds only references. Payloads in history are compressed.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { World } from '../helpers/world.js';

let world: World;
const limits = { CONVO_INLINE_SEGMENT_MAX_BYTES: '1024', CONVO_INLINE_TOTAL_MAX_BYTES: '4096' };
beforeAll(async () => {
  world = await World.create('claim-check');
});
afterAll(async () => world?.dispose());

test('a transcript above the inline limits lives in the store, moves between workers, and is verified', async () => {
  const a = await world.startWorker('a', limits);
  const id = await world.client.start({ cwd: await world.workspace('stored') });
  const big = 'log line with some numbers 12345 and words '.repeat(400);
  world.model.script({ text: big });
  await world.client.ask(id, 'one');
  await a.stop();
  await world.startWorker('b', limits);
  const { reply } = await world.client.ask(id, 'two');
  expect(reply).toBe('Received 3 messages. Last user text: "two"');

  const segments = await world.client.client.workflow.getHandle(id).query('transcript');
  expect((segments as Array<{ kind: string }>).every((s) => s.kind === 'stored')).toBe(true);
  const transcript = await world.client.transcript(id);
  expect(transcript).toContain(big);
  expect(Buffer.byteLength(transcript)).toBe((await world.client.state(id)).transcriptBytes);

  // History holds references, compressed: the big reply text is not in the raw history bytes.
  const raw = await world.client.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: id },
  });
  const rawBytes = Buffer.from(JSON.stringify(raw.history));
  expect(rawBytes.includes('log line with some numbers')).toBe(false);
  const encodings = (raw.history?.events ?? [])
    .flatMap((e) => e.activityTaskCompletedEventAttributes?.result?.payloads ?? [])
    .map((p) => Buffer.from(p.metadata?.encoding ?? []).toString());
  expect(encodings).toContain('binary/gzip');

  // A stored segment changed behind Convo's back: the next turn refuses it instead of running on a wrong history.
  const dir = join(world.config.transcriptDir, encodeURIComponent(id));
  for (const file of await readdir(dir)) await writeFile(join(dir, file), gzipSync('{"tampered":true}\n'));
  const failed = await world.convo(['ask', id, 'three']);
  expect(failed.exitCode).toBe(1);
  expect(failed.stderr).toMatch(/^TranscriptInvalid: transcript segment .* is corrupt: SHA-256/);
});
