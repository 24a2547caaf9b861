/**
 * Live text from real CLI output: Claude Code's partial messages (`claude --include-partial-messages`, recorded
 * against the scripted server in test/fixtures/claude/partial-messages.json by `npm run record-fixtures
 * partial-messages`) and opencode's whole text parts (test/fixtures/opencode/tool-call.json) become live items in
 * order; the heartbeat window numbers, redacts (a secret split across chunks too) and bounds them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptySummary, LiveReader, summarize } from '../../src/activities/backends/claude/events.js';
import * as opencode from '../../src/activities/backends/opencode/events.js';
import { LiveWindow } from '../../src/activities/turn/live-window.js';
import { redactSecrets, StreamRedactor } from '../../src/activities/turn/redact.js';
import type { LiveItem } from '../../src/common/turn-events.js';
import { projectRoot } from '../../src/paths.js';

const fixture = (backend: string, name: string): { stdout: string[] } =>
  JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', backend, `${name}.json`), 'utf8')) as {
    stdout: string[];
  };

function claudeItems(lines: string[]): LiveItem[] {
  const summary = emptySummary();
  const reader = new LiveReader();
  const items: LiveItem[] = [];
  for (const line of lines) {
    reader.read(summarize(summary, line));
    items.push(...reader.take());
  }
  return items;
}

test("Claude Code's partial messages give thinking, text chunks, the tool call and its result, in order", () => {
  expect(claudeItems(fixture('claude', 'partial-messages').stdout)).toEqual([
    { type: 'thinking', text: 'The user wants a file listing.' },
    { type: 'text', text: 'Let me ' },
    { type: 'text', text: 'look at ' },
    { type: 'text', text: 'the files.' },
    { type: 'tool_call', tool: 'Bash', input: 'echo listed', id: 'toolu_scripted_0' },
    { type: 'tool_result', tool: 'Bash', output: 'listed', id: 'toolu_scripted_0' },
    { type: 'text', text: 'There is ' },
    { type: 'text', text: 'one file: ' },
    { type: 'text', text: 'listed.' },
  ]);
});

test('without partial messages, an assistant message is one text item', () => {
  expect(claudeItems(fixture('claude', 'success').stdout)).toEqual([{ type: 'text', text: 'The answer.' }]);
});

test("opencode's events give whole text parts, and a finished tool call with its result", () => {
  const summary = opencode.emptySummary();
  const items: LiveItem[] = [];
  for (const line of fixture('opencode', 'tool-call').stdout) opencode.summarize(summary, line, items);
  expect(items).toEqual([
    { type: 'text', text: 'Writing the file.' },
    {
      type: 'tool_call',
      tool: 'bash',
      input: 'echo "written by a tool" > tool-output.txt',
      id: 'toolu_scripted_1',
    },
    { type: 'tool_result', tool: 'bash', output: '(no output)', id: 'toolu_scripted_1' },
    { type: 'text', text: 'The file is written.' },
  ]);
});

const SECRET = 'sk-ant-live-secret-0123456789';

test('a secret split across chunks is redacted; what is shown is what the whole text redacts to', () => {
  const redactor = new StreamRedactor([SECRET]);
  const chunks = ['key is sk-ant-', 'live-secret-01', '23456789 and sk-', 'ant-li', 've! done'];
  const shown = chunks.map((c) => redactor.push(c));
  shown.push(redactor.flush());
  expect(shown.join('')).toBe(redactSecrets(chunks.join(''), { K: SECRET }, ['K']));
  expect(shown.join('')).toBe('key is [redacted] and sk-ant-live! done');
  // Held back only while it could still be the secret.
  expect(shown[0]).toBe('key is ');
  expect(shown[2]).toBe('[redacted] and ');
});

test('the window numbers events from 0, redacts them, keeps the latest text, and stays within its bound', () => {
  const window = new LiveWindow([SECRET], (t) => t.split(SECRET).join('[redacted]'), 740);
  window.add({ type: 'thinking', text: 'hmm' });
  window.add({ type: 'text', text: 'Running ' });
  window.add({ type: 'text', text: 'it.' });
  window.add({ type: 'tool_call', tool: 'Bash', input: `curl -H ${SECRET}` });
  window.add({ type: 'tool_result', output: 'x'.repeat(2000), error: true });
  window.add({ type: 'text', text: `Done with ${SECRET.slice(0, 10)}` });
  // The end of the text could be the start of the secret: held back until the run's end.
  expect(window.latestText()).toBe('Done with ');
  window.flush();
  expect(window.latestText()).toBe(`Done with ${SECRET.slice(0, 10)}`);
  const events = window.events();
  // The 2000-character output was cut to 500; the bound (740 bytes) dropped the oldest events.
  expect(events.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
  expect(events[0]).toEqual({ type: 'tool_call', tool: 'Bash', input: 'curl -H [redacted]', seq: 3 });
  expect(events[1]).toMatchObject({ type: 'tool_result', error: true, seq: 4 });
  expect((events[1] as { output: string }).output).toHaveLength(500);
  expect(events.slice(2)).toEqual([
    { type: 'text', text: 'Done with ', seq: 5 },
    { type: 'text', text: SECRET.slice(0, 10), seq: 6 },
  ]);
});

test('a long chunk becomes several events; the latest text keeps the end of the message', () => {
  const window = new LiveWindow([], (t) => t);
  window.add({ type: 'text', text: 'a'.repeat(4500) });
  window.flush();
  expect(window.events().map((e) => (e as { text: string }).text.length)).toEqual([2000, 2000, 500]);
  expect(window.latestText()).toHaveLength(1000);
});
