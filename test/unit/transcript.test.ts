import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertTranscriptParses,
  captureTranscript,
  diffTranscript,
  projectSlug,
  restoreTranscript,
  transcriptPath,
} from '../../src/activities/claude/transcript.js';
import { promptProblem } from '../../src/common/conversation.js';
import { utf8ByteLength } from '../../src/common/text.js';

test('the project slug replaces every non-alphanumeric character of the cwd with a dash', () => {
  expect(projectSlug('/home/me/my_app')).toBe('-home-me-my-app');
  expect(projectSlug('/tmp/a.b c/ü')).toBe('-tmp-a-b-c--');
  expect(transcriptPath('/cfg', '/home/me/my_app', 'abc')).toBe('/cfg/projects/-home-me-my-app/abc.jsonl');
});

test('a turn returns only the appended bytes when the restored transcript is unchanged', () => {
  expect(diffTranscript('{"a":1}\n', '{"a":1}\n{"b":2}\n')).toEqual({ mode: 'append', data: '{"b":2}\n' });
  expect(diffTranscript('{"a":1}\n', '{"a":2}\n{"b":2}\n')).toEqual({ mode: 'replace', data: '{"a":2}\n{"b":2}\n' });
});

test('restore writes the transcript where --resume finds it; capture reads back the change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'convo-unit-'));
  try {
    const path = transcriptPath(dir, '/w', 'sid');
    await restoreTranscript(path, '{"a":1}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect(await captureTranscript(join(dir, 'missing.jsonl'), '')).toBeUndefined();
    expect(await captureTranscript(path, '{"a":1}\n')).toEqual({ mode: 'append', data: '' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
