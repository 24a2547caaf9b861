/**
 * `convo history` reads Claude Code's transcript as a chat. The fixture is a real transcript written by Claude Code
 * 2.1.330 (a turn with a Bash tool call, then a plain turn), trimmed to the message lines and the CLI's bookkeeping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatEntries } from '../../src/activities/backends/registry.js';
import { formatChat } from '../../src/cli/format/chat.js';
import { transcriptToChat } from '../../src/client/chat.js';
import { projectRoot } from '../../src/paths.js';

const fixture = readFileSync(join(projectRoot, 'test', 'fixtures', 'claude', 'transcript-tool-call.jsonl'), 'utf8');

test('a real transcript reads as turns of prompt, text, tool call, tool result and reply, in order', () => {
  const turns = transcriptToChat(fixture);
  expect(turns).toHaveLength(2);
  expect(turns[0]!.entries).toEqual([
    { kind: 'user', text: 'Write hello to out.txt', timestamp: expect.any(String) },
    { kind: 'assistant', text: 'Let me write it.', timestamp: expect.any(String) },
    {
      kind: 'tool_call',
      name: 'Bash',
      input: { command: 'echo hello > out.txt && cat out.txt', description: 'write a file' },
      timestamp: expect.any(String),
    },
    { kind: 'tool_result', text: 'hello', isError: false, timestamp: expect.any(String) },
    { kind: 'assistant', text: 'Done: wrote out.txt.', timestamp: expect.any(String) },
  ]);
  expect(turns[1]!.entries.map((e) => e.kind)).toEqual(['user', 'assistant']);
});

test('lines that are not JSON, not messages, sidechains or meta are skipped; a long result is cut', () => {
  const lines = [
    'not json',
    JSON.stringify({ type: 'summary', summary: 'x' }),
    JSON.stringify({ type: 'user', message: { content: 'hi' } }),
    JSON.stringify({ type: 'user', isMeta: true, message: { content: 'meta prompt' } }),
    JSON.stringify({
      type: 'assistant',
      isSidechain: true,
      message: { content: [{ type: 'text', text: 'sub-agent' }] },
    }),
    JSON.stringify({
      type: 'assistant',
      message: { content: [{ type: 'tool_use', name: 'Read', input: { file_path: '/a' } }] },
    }),
    JSON.stringify({
      type: 'user',
      message: {
        content: [
          {
            type: 'tool_result',
            content: [{ type: 'text', text: Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') }],
            is_error: true,
          },
        ],
      },
    }),
  ];
  const turns = transcriptToChat(lines.join('\n'));
  expect(turns).toHaveLength(1);
  expect(turns[0]!.entries.map((e) => e.kind)).toEqual(['user', 'tool_call', 'tool_result']);
  const text = formatChat(turns, { maxResultLines: 3 });
  expect(text).toBe(
    [
      '── turn 1 ──',
      'user: hi',
      '  → Read({"file_path":"/a"})',
      '  ← error: line 0\n    line 1\n    line 2\n    … 27 more lines',
    ].join('\n'),
  );
});

test('an opencode transcript (a real export of opencode 1.18.33, as the backend stores it) reads as the same chat', async () => {
  const { renderTranscript } = await import('../../src/activities/backends/opencode/transcript.js');
  const recorded = JSON.parse(
    readFileSync(join(projectRoot, 'test', 'fixtures', 'opencode', 'tool-call.json'), 'utf8'),
  ) as {
    export: Record<string, unknown>;
  };
  const turns = transcriptToChat(renderTranscript(recorded.export).toString('utf8'));
  expect(turns).toHaveLength(1);
  expect(
    turns[0]!.entries.map((e) =>
      e.kind === 'tool_call' ? `${e.kind}:${e.name}` : `${e.kind}:${'text' in e ? e.text : ''}`,
    ),
  ).toEqual([
    'user:Please write the file.',
    'assistant:Writing the file.',
    'tool_call:bash',
    'tool_result:(no output)',
    'assistant:The file is written.',
  ]);
  expect(turns[0]!.entries[2]).toMatchObject({ input: { command: 'echo "written by a tool" > tool-output.txt' } });
});

test("each backend's chat parser reads its own transcript lines and skips the other's", async () => {
  const { renderTranscript } = await import('../../src/activities/backends/opencode/transcript.js');
  const recorded = JSON.parse(
    readFileSync(join(projectRoot, 'test', 'fixtures', 'opencode', 'tool-call.json'), 'utf8'),
  ) as {
    export: Record<string, unknown>;
  };
  const claudeLines = fixture.split('\n');
  const opencodeLines = renderTranscript(recorded.export).toString('utf8').split('\n');
  const read = (backend: string | undefined, lines: string[]) => lines.flatMap((l) => chatEntries(backend, l) ?? []);
  expect(read('claude', claudeLines)).toEqual(transcriptToChat(fixture).flatMap((t) => t.entries));
  expect(read('opencode', opencodeLines).map((e) => e.kind)).toEqual([
    'user',
    'assistant',
    'tool_call',
    'tool_result',
    'assistant',
  ]);
  expect(read('claude', opencodeLines)).toEqual([]);
  expect(read('opencode', claudeLines)).toEqual([]);
  // Without a backend, the first plug-in that reads a line does.
  expect(read(undefined, [...claudeLines, ...opencodeLines])).toHaveLength(read('claude', claudeLines).length + 5);
  expect(chatEntries('no-such-backend', claudeLines[0]!)).toBeUndefined();
});
