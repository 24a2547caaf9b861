/**
 * The opencode transcript: the session export (recorded from the real binary) kept as JSON Lines, read back for
 * `opencode import`, and growing by appended lines from turn to turn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExport, renderTranscript, restoreSession } from '../../src/activities/backends/opencode/transcript.js';
import { projectRoot } from '../../src/paths.js';
import type { OpencodeFixture } from '../../src/testing/opencode-scenarios.js';

const recorded = (name: string) =>
  (
    JSON.parse(
      readFileSync(join(projectRoot, 'test', 'fixtures', 'opencode', `${name}.json`), 'utf8'),
    ) as OpencodeFixture
  ).export as {
    info: Record<string, unknown>;
    messages: Array<{ info: Record<string, unknown>; parts: unknown[] }>;
  };

const lines = (b: Buffer) =>
  b
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('an export becomes a session line and one line per message, and reads back as the same export', () => {
  const exp = recorded('tool-call');
  const transcript = renderTranscript(exp);
  const records = lines(transcript);
  expect(records.map((r) => r.type)).toEqual(['session', ...exp.messages.map(() => 'message')]);
  expect(records[0]).toEqual({ type: 'session', info: exp.info });
  expect(records[1]).toEqual({ type: 'message', info: exp.messages[0]!.info, parts: exp.messages[0]!.parts });

  const restored = restoreSession(transcript);
  expect(restored.sessionId).toBe(exp.info.id);
  expect(JSON.parse(restored.exportJson)).toEqual(exp);
  // The export as opencode prints it parses too.
  expect(parseExport(JSON.stringify(exp, null, 2)).parsed.info.id).toBe(exp.info.id);
});

test('a later export whose messages extend the earlier ones keeps the first session line: the transcript only grows', () => {
  const first = recorded('success');
  const before = renderTranscript(first);
  const later = {
    info: { ...first.info, cost: 1.5, time: { created: 1, updated: 2 } },
    messages: [...first.messages, { info: { id: 'msg_next', role: 'user' }, parts: [{ type: 'text', text: 'next' }] }],
  };
  const after = renderTranscript(later, before);
  expect(after.subarray(0, before.length).equals(before)).toBe(true);
  expect(lines(after.subarray(before.length))).toEqual([
    { type: 'message', info: { id: 'msg_next', role: 'user' }, parts: [{ type: 'text', text: 'next' }] },
  ]);
  // The restored session is the one first captured (statistics as of then) with every message.
  expect(JSON.parse(restoreSession(after).exportJson)).toEqual({ info: first.info, messages: later.messages });
});

test('the same messages with their keys in another order (as opencode writes them after an import) render the same bytes', () => {
  const first = recorded('tool-call');
  const reorder = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reorder)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reorder(x)]),
          )
        : v;
  const before = renderTranscript(first);
  expect(renderTranscript(reorder(first) as typeof first, before).equals(before)).toBe(true);
  expect(renderTranscript(reorder(first) as typeof first).equals(before)).toBe(true);
});

test('when earlier messages changed (compaction, revert), the transcript is written anew with the current session info', () => {
  const first = recorded('success');
  const before = renderTranscript(first);
  const rewritten = { info: { ...first.info, title: 'changed' }, messages: first.messages.slice(1) };
  const after = renderTranscript(rewritten, before);
  expect(after.subarray(0, before.length).equals(before)).toBe(false);
  expect(lines(after)[0]).toEqual({ type: 'session', info: rewritten.info });
});

test('a transcript that is not an opencode session fails the turn with TranscriptInvalid', () => {
  const good = renderTranscript(recorded('success')).toString('utf8');
  const bad = [
    ['not json\n', /line 1 is not JSON/],
    [good.split('\n').slice(1).join('\n'), /does not start with its session line/],
    [good.replace(/"id":"ses_/, '"id":"xyz_'), /info\.id/],
    [`${good}{"type":"message","info":{"id":"m","role":"user"}}\n`, /parts/],
    [`${good}{"type":"other"}\n`, /not a session/],
  ] as const;
  for (const [text, message] of bad) {
    expect(() => restoreSession(Buffer.from(text))).toThrow(
      expect.objectContaining({
        type: 'TranscriptInvalid',
        nonRetryable: true,
        message: expect.stringMatching(message),
      }),
    );
  }
});
