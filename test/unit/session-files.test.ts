/**
 * Sessions in and out: `convo start --import FILE` reads a Claude Code session file (every line a JSON object, one
 * session id) into the transcript store; `convo export` writes the transcript where `claude --resume` finds it (or
 * opencode's `{info, messages}` export for `opencode import`).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTranscript } from '../../src/activities/backends/opencode/transcript.js';
import { writeSessionFile } from '../../src/cli/commands/export.js';
import { ConvoError } from '../../src/client/errors.js';
import { sessionExport } from '../../src/client/session-export.js';
import { claudeSessionId, importedCarry } from '../../src/client/session-import.js';
import { workflowStart } from '../../src/client/start.js';
import { projectRoot } from '../../src/paths.js';
import { LocalTranscriptStore, readTranscriptSegments } from '../../src/storage/transcript-store.js';
import type { OpencodeFixture } from '../../src/testing/opencode-scenarios.js';

const fixture = (...path: string[]) => readFileSync(join(projectRoot, 'test', 'fixtures', ...path));
const SESSION = '11111111-2222-3333-4444-555555555555';
const claudeSession = fixture('claude', 'transcript-tool-call.jsonl');

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConvoError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

test('a Claude Code session file gives its session id; a bad file is one line naming the problem', async () => {
  expect(claudeSessionId({ transcript: claudeSession, source: 's.jsonl' })).toBe(SESSION);
  const lines = claudeSession.toString('utf8').split('\n');
  const withBadLine = Buffer.from([...lines.slice(0, 2), 'not json {', ...lines.slice(2)].join('\n'));
  expect(await refusal(() => claudeSessionId({ transcript: withBadLine, source: 's.jsonl' }))).toBe(
    's.jsonl line 3 is not a JSON object: not json {',
  );
  expect(await refusal(() => claudeSessionId({ transcript: Buffer.from('[1]\n'), source: 'a.jsonl' }))).toBe(
    'a.jsonl line 1 is not a JSON object: [1]',
  );
  expect(await refusal(() => claudeSessionId({ transcript: Buffer.from('{"type":"x"}\n'), source: 'b.jsonl' }))).toBe(
    'b.jsonl is not a Claude Code session: no record has a sessionId',
  );
  const other = '99999999-2222-3333-4444-555555555555';
  const mixed = Buffer.concat([claudeSession, Buffer.from(`{"type":"user","sessionId":"${other}"}\n`)]);
  expect(await refusal(() => claudeSessionId({ transcript: mixed, source: 'c.jsonl' }))).toBe(
    `c.jsonl mixes sessions: ${SESSION}, ${other}`,
  );
  expect(await refusal(() => claudeSessionId({ transcript: Buffer.from('{"sessionId":"abc"}'), source: 'd' }))).toBe(
    'd: session id abc is not a UUID',
  );
});

test('import: the file goes to the transcript store; the workflow starts from it as imported', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'import-cwd-'));
  const start = await workflowStart({ cwd, importSession: { transcript: claudeSession, source: 's.jsonl' } }, 'a', 'q');
  expect(start.imported?.sessionId).toBe(SESSION);
  expect(start.staticSummary).toBe(`imported Claude Code session ${SESSION}`);

  const store = new LocalTranscriptStore(await mkdtemp(join(tmpdir(), 'import-store-')));
  const carry = await importedCarry(store, start.workflowId, start.imported!);
  expect(carry).toMatchObject({ sessionId: SESSION, turns: [], closing: false, imported: true });
  expect(carry.transcript).toEqual([expect.objectContaining({ kind: 'stored', bytes: claudeSession.length })]);
  expect((await readTranscriptSegments(store, carry.transcript)).equals(claudeSession)).toBe(true);

  expect(
    await refusal(() =>
      workflowStart({ cwd, backend: 'opencode', importSession: { transcript: claudeSession } }, 'a', 'q'),
    ),
  ).toBe('--import takes a Claude Code session: not for backend opencode');
  expect(
    await refusal(() =>
      workflowStart({ cwd, importSession: { transcript: Buffer.from('x\n'), source: 'x.jsonl' } }, 'a', 'q'),
    ),
  ).toBe('x.jsonl line 1 is not a JSON object: x');
});

test('export (claude): the transcript where `claude --resume` looks, under CLAUDE_CONFIG_DIR, by the cwd slug', async () => {
  const state = { id: 'conv-1', backend: 'claude', cwd: '/home/me/my_app', sessionId: SESSION };
  const exp = sessionExport(state, claudeSession.toString('utf8'), { CLAUDE_CONFIG_DIR: '/cfg' });
  expect(exp.defaultPath).toBe(`/cfg/projects/-home-me-my-app/${SESSION}.jsonl`);
  expect(exp.commands(exp.defaultPath)).toEqual([`cd /home/me/my_app && claude --resume ${SESSION}`]);
  expect(exp.commands('/tmp/s.jsonl')).toEqual([
    `mkdir -p /cfg/projects/-home-me-my-app && cp /tmp/s.jsonl /cfg/projects/-home-me-my-app/${SESSION}.jsonl`,
    `cd /home/me/my_app && claude --resume ${SESSION}`,
  ]);
  // Round trip: what export writes is a session file import takes, with the same session.
  expect(exp.content.equals(claudeSession)).toBe(true);
  expect(claudeSessionId({ transcript: exp.content })).toBe(SESSION);
  expect(await refusal(() => sessionExport(state, '', {}))).toBe(
    'conversation conv-1 has no session yet: no turn has run',
  );
  const spaced = sessionExport({ ...state, cwd: "/home/me/it's here" }, 'x', { CLAUDE_CONFIG_DIR: '/cfg' });
  expect(spaced.commands(spaced.defaultPath)[0]).toBe(`cd '/home/me/it'\\''s here' && claude --resume ${SESSION}`);
});

test('export (opencode): the {info, messages} export opencode import reads', () => {
  const recorded = (JSON.parse(fixture('opencode', 'tool-call.json').toString('utf8')) as OpencodeFixture).export as {
    info: { id: string };
    messages: unknown[];
  };
  const transcript = renderTranscript(recorded).toString('utf8');
  const exp = sessionExport({ id: 'c', backend: 'opencode', cwd: '/w', sessionId: 'uuid' }, transcript, {});
  expect(exp.sessionId).toBe(recorded.info.id);
  expect(JSON.parse(exp.content.toString('utf8'))).toEqual(recorded);
  expect(exp.commands('/tmp/e.json')).toEqual([
    'opencode import /tmp/e.json',
    `cd /w && opencode --session ${recorded.info.id}`,
  ]);
});

test('writing the session file: new, or over an earlier state of it; a different session is kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'export-'));
  const path = join(dir, 'projects', '-w', `${SESSION}.jsonl`);
  await writeSessionFile(path, Buffer.from('a\nb\n'));
  await writeSessionFile(path, Buffer.from('a\nb\nc\n'));
  expect(await readFile(path, 'utf8')).toBe('a\nb\nc\n');
  await writeFile(path, 'mine\n');
  expect(await refusal(() => writeSessionFile(path, Buffer.from('a\n')))).toBe(
    `${path} holds a different session; give --force to replace it, or --out`,
  );
  expect(await readFile(path, 'utf8')).toBe('mine\n');
  await writeSessionFile(path, Buffer.from('a\n'), true);
  expect(await readFile(path, 'utf8')).toBe('a\n');
});
