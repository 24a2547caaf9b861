import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertTranscriptParses,
  captureTranscript,
  projectSlug,
  restoreTranscript,
  transcriptPath,
} from '../../src/activities/backends/claude/transcript.js';
import { DEFAULT_SEGMENT_POLICY, readSegments } from '../../src/activities/turn/transcript-segments.js';
import { promptProblem, type TranscriptSegment } from '../../src/common/conversation.js';
import { utf8ByteLength } from '../../src/common/text.js';
import { LocalTranscriptStore } from '../../src/storage/transcript-store.js';

let dir: string;
let store: LocalTranscriptStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-unit-'));
  store = new LocalTranscriptStore(join(dir, 'store'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const line = (n: number, size = 10) => `${JSON.stringify({ n, text: 'x'.repeat(size) })}\n`;

test('the project slug replaces every non-alphanumeric character of the cwd with a dash', () => {
  expect(projectSlug('/home/me/my_app')).toBe('-home-me-my-app');
  expect(projectSlug('/tmp/a.b c/ü')).toBe('-tmp-a-b-c--');
  expect(transcriptPath('/cfg', '/home/me/my_app', 'abc')).toBe('/cfg/projects/-home-me-my-app/abc.jsonl');
});

test('a small append stays inline; a large one goes to the store; the transcript reads back whole', async () => {
  const path = transcriptPath(dir, '/w', 'sid');
  const first = Buffer.from(line(1));
  await restoreTranscript(path, first);
  const segments: TranscriptSegment[] = [{ kind: 'inline', data: first.toString() }];

  await writeFile(path, Buffer.concat([first, Buffer.from(line(2))]));
  const small = await captureTranscript(path, first, segments, store, 'c1');
  expect(small).toEqual({ mode: 'append', segments: [{ kind: 'inline', data: line(2) }] });

  const big = line(3, 100_000);
  await writeFile(path, first.toString() + big);
  const large = await captureTranscript(path, first, segments, store, 'c1');
  expect(large?.mode).toBe('append');
  expect(large?.segments[0]).toMatchObject({ kind: 'stored', bytes: Buffer.byteLength(big) });
  expect((await readSegments(store, [...segments, ...large!.segments])).toString()).toBe(first.toString() + big);
});

test('a rewritten prefix replaces the transcript; too many segments are compacted into one stored segment', async () => {
  const path = transcriptPath(dir, '/w', 'sid');
  await restoreTranscript(path, Buffer.from(line(1)));
  await writeFile(path, line(9) + line(2));
  expect(await captureTranscript(path, Buffer.from(line(1)), [{ kind: 'inline', data: line(1) }], store, 'c')).toEqual({
    mode: 'replace',
    segments: [{ kind: 'inline', data: line(9) + line(2) }],
  });

  const many: TranscriptSegment[] = Array.from({ length: DEFAULT_SEGMENT_POLICY.maxSegments }, (_, i) => ({
    kind: 'inline',
    data: line(i),
  }));
  const before = many.map((s) => (s.kind === 'inline' ? s.data : '')).join('');
  await writeFile(path, before + line(100));
  const compacted = await captureTranscript(path, Buffer.from(before), many, store, 'c', {
    ...DEFAULT_SEGMENT_POLICY,
    inlineTotalMaxBytes: 100,
  });
  expect(compacted?.mode).toBe('replace');
  expect(compacted?.segments).toHaveLength(1);
  expect((await readSegments(store, compacted!.segments)).toString()).toBe(before + line(100));
  expect(await captureTranscript(join(dir, 'missing.jsonl'), Buffer.alloc(0), [], store, 'c')).toBeUndefined();
});

test('a stored segment whose bytes changed fails its SHA-256 check as TranscriptInvalid', async () => {
  const segment = await store.put('c2', Buffer.from(line(1, 50_000)));
  expect((await readSegments(store, [segment])).toString()).toBe(line(1, 50_000));
  const files = await readdir(join(dir, 'store', 'c2'));
  const { gzipSync } = await import('node:zlib');
  await writeFile(join(dir, 'store', 'c2', files[0]!), gzipSync(Buffer.from(line(2, 50_000))));
  await expect(readSegments(store, [segment])).rejects.toMatchObject({
    type: 'TranscriptInvalid',
    nonRetryable: true,
    message: expect.stringMatching(/SHA-256/),
  });
  await expect(readSegments(store, [{ ...segment, key: 'c2/missing.jsonl.gz' }])).rejects.toMatchObject({
    type: 'TranscriptInvalid',
  });
});

test('restore writes the transcript where --resume finds it', async () => {
  const path = transcriptPath(dir, '/w', 'sid');
  await restoreTranscript(path, Buffer.from('{"a":1}\n'));
  expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
});

test('a transcript that does not parse is refused with its line number, non-retryably', () => {
  expect(() => assertTranscriptParses('{"a":1}\n\n{"b":2}\n')).not.toThrow();
  expect(() => assertTranscriptParses('{"a":1}\nnot json\n')).toThrow(/line 2 is not a JSON object/);
  try {
    assertTranscriptParses('[1]');
  } catch (err) {
    expect(err).toMatchObject({ type: 'TranscriptInvalid', nonRetryable: true });
  }
  expect.assertions(3);
});

test('prompts: empty and oversized ones have a reason; sizes are UTF-8 bytes', () => {
  expect(promptProblem('')).toBe('prompt is empty');
  expect(promptProblem(' \n ')).toBe('prompt is empty');
  expect(promptProblem('hi')).toBeUndefined();
  expect(promptProblem('€'.repeat(90_000))).toMatch(/270000 bytes/);
  for (const s of ['a', 'é', '€', '😀', 'a😀é€']) expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s));
});

test('with encryption keys the store seals objects; old keys open them; without the key, a reason naming its id', async () => {
  const { loadEncryptionKeys } = await import('../../src/config/codec-keys.js');
  const { randomBytes } = await import('node:crypto');
  const [k1, k2] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
  const first = loadEncryptionKeys({ CONVO_ENCRYPTION_KEY: k1, CONVO_ENCRYPTION_KEY_ID: 'k1' });
  const sealed = new LocalTranscriptStore(join(dir, 'sealed'), first);
  const data = Buffer.from(line(1, 5000));
  const segment = await sealed.put('conv/1', data);
  expect(segment.key).toMatch(/^conv%2F1\/[0-9a-f]{64}\.jsonl\.gz\.enc$/);
  const body = await readFile(join(dir, 'sealed', segment.key));
  expect(body.includes('xxxxxxxxxx')).toBe(false);
  expect((await sealed.get(segment)).equals(data)).toBe(true);

  // After rotation, k1 only decrypts: old objects still open, new ones are sealed with k2.
  const rotated = new LocalTranscriptStore(
    join(dir, 'sealed'),
    loadEncryptionKeys({ CONVO_ENCRYPTION_KEY: k2, CONVO_ENCRYPTION_KEY_ID: 'k2', CONVO_DECRYPTION_KEYS: `k1:${k1}` }),
  );
  expect((await rotated.get(segment)).equals(data)).toBe(true);
  // A process without the key, or with only another one, cannot, and says which key it needs.
  await expect(new LocalTranscriptStore(join(dir, 'sealed')).get(segment)).rejects.toThrow(
    /cannot be read .*key id k1/,
  );
  await expect(
    new LocalTranscriptStore(join(dir, 'sealed'), loadEncryptionKeys({ CONVO_ENCRYPTION_KEY: k2 })).get(segment),
  ).rejects.toThrow(/key id k1/);
  // Objects written without a key stay readable by a store that has one.
  const plainSegment = await store.put('conv', data);
  expect(plainSegment.key).toMatch(/\.jsonl\.gz$/);
  expect((await new LocalTranscriptStore(join(dir, 'store'), first).get(plainSegment)).equals(data)).toBe(true);
});
