/**
 * Tool calls that wait for a person, as the `convo` command shows and decides them: `--approve` and
 * `--approval-timeout` on start and configure, `convo show`/`list`/`approve`/`deny`, and `convo ask`, which never hangs
 * silently (one line and exit status 3 or 4 off a terminal, the decision asked right there on one). On the real dev
 * server, worker, `claude` binary and `convo` command.
 */
import { execa, type ResultPromise } from 'execa';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConversationState } from '../../src/common/conversation.js';
import { projectRoot } from '../../src/paths.js';
import type { RecordedRequest } from '../../src/testing/index.js';
import { World, waitUntil } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('approvals-cli');
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

const prompt = (text: string) => (r: RecordedRequest) => r.hasTools && r.lastUserText === text;

/** A scripted Bash call that writes `file`, then the reply after it. */
function bashWrite(file: string, when: string): void {
  world.model.script(
    [
      {
        text: `I will write ${file}.`,
        toolUse: { name: 'Bash', input: { command: `echo hi > ${file}`, description: 'write' } },
      },
      { text: `Wrote ${file}.` },
    ],
    (r) =>
      r.hasTools &&
      (r.lastUserText === when || r.messages.some((m) => JSON.stringify(m).includes(`echo hi > ${file}`))),
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function shownJson(id: string): Promise<ConversationState> {
  return JSON.parse((await world.convo(['show', id, '--json'])).stdout) as ConversationState;
}

test('bad --approval-timeout and --approve values are one line; a good one is in the options', async () => {
  const cwd = await world.workspace('flags');
  const soon = await world.convo(['start', '--cwd', cwd, '--approval-timeout', 'soon']);
  expect(soon.exitCode).not.toBe(0);
  expect(soon.stderr.trim()).toBe(
    "error: option '--approval-timeout <duration>' argument 'soon' is invalid. not a duration of whole seconds (e.g. 90s, 15m, 2h, 3d)",
  );
  const rule = await world.convo(['start', '--cwd', cwd, '--approve', 'Bash(git']);
  expect(rule.exitCode).toBe(1);
  expect(rule.stderr.trim()).toBe(
    'convo: approve.0: an approval rule is a tool name, optionally with (specifier), e.g. Bash(git:*)',
  );

  const started = await world.convo([
    'start',
    '--cwd',
    cwd,
    '--approve',
    'Bash(git push:*)',
    'Write',
    '--approval-timeout',
    '15m',
  ]);
  expect(started.exitCode).toBe(0);
  const id = started.stdout.trim();
  expect((await shownJson(id)).options).toMatchObject({
    approve: ['Bash(git push:*)', 'Write'],
    approvalTimeoutS: 900,
  });
});

test('convo configure sets and clears --approve and --approval-timeout through the configure update', async () => {
  const id = await world.client.start({ cwd: await world.workspace('configure') });
  const set = await world.convo([
    'configure',
    id,
    '--approve',
    'Edit(src/**)',
    'mcp__github__*',
    '--approval-timeout',
    '2h',
  ]);
  expect(set.stdout.trim()).toBe(`configured ${id}: revision 1 (applies from the next turn)`);
  expect((await shownJson(id)).options).toMatchObject({
    approve: ['Edit(src/**)', 'mcp__github__*'],
    approvalTimeoutS: 7200,
  });

  const cleared = await world.convo(['configure', id, '--clear', 'approve', 'approval-timeout']);
  expect(cleared.exitCode).toBe(0);
  const { options } = await shownJson(id);
  expect(options.approve).toBeUndefined();
  expect(options.approvalTimeoutS).toBeUndefined();

  const both = await world.convo(['configure', id, '--approve', 'Bash', '--clear', 'approve']);
  expect(both.stderr.trim()).toBe('convo: --clear approve and --approve both given: set it or clear it');
});

test('convo list --status needs_approval is a status to filter on', async () => {
  const listed = await world.convo(['list', '--status', 'needs_approval']);
  expect(listed.exitCode).toBe(0);
  expect(listed.stdout.trim()).toBe('no needs_approval conversations');
});

test('convo ask off a terminal, on a 401: one line and exit status 4, the turn keeps waiting; --wait waits', async () => {
  const id = await world.client.start({ cwd: await world.workspace('unauthorized') });
  world.model.script(
    { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' }, times: Infinity },
    prompt('needs a key'),
  );
  const asked = await world.convo(['ask', id, 'needs a key']);
  expect(asked.exitCode).toBe(4);
  expect(asked.stdout).toBe('');
  expect(asked.stderr.trim().split('\n')).toHaveLength(1);
  expect(asked.stderr.trim()).toBe(
    `needs attention: Authentication: Invalid API key · Fix external API key — fix it, then convo resume ${id} (or convo skip ${id})`,
  );
  const state = await world.client.state(id);
  expect(state.status).toBe('needs_attention');
  expect(state.turns.map((t) => t.status)).toEqual(['queued']);

  // --wait: no line, no exit; it returns the reply once the person resumes the conversation.
  let finished = false;
  const waiting = world.convo(['ask', '--wait', id, 'after the fix']).finally(() => (finished = true));
  await new Promise((r) => setTimeout(r, 3000));
  expect(finished).toBe(false);
  world.model.clearScript();
  expect((await world.convo(['resume', id])).exitCode).toBe(0);
  const replied = await waiting;
  expect(replied.exitCode).toBe(0);
  expect(replied.stderr).toBe('');
  expect(replied.stdout.trim()).toMatch(/Last user text: "after the fix"$/);
  expect((await world.client.state(id)).turns.map((t) => t.status)).toEqual(['completed', 'completed']);
});

test('convo approve, deny and answer say so when nothing waits', async () => {
  const id = await world.client.start({ cwd: await world.workspace('nothing-waits') });
  const approve = await world.convo(['approve', id]);
  expect(approve.exitCode).toBe(1);
  expect(approve.stderr.trim()).toBe(`convo: conversation ${id} has no tool call waiting for approval (status idle)`);
  const answer = await world.convo(['answer', id, 'yes']);
  expect(answer.stderr.trim()).toBe(`convo: conversation ${id} has no question waiting for an answer (status idle)`);
});

test('--approve Bash: the call waits (shown, listed, file absent); convo approve runs it', async () => {
  const cwd = await world.workspace('approve');
  const id = (await world.convo(['start', '--cwd', cwd, '--approve', 'Bash'])).stdout.trim();
  bashWrite('f.txt', 'write f');
  await world.client.send(id, 'write f');
  const shown = await world.waitForState(id, (s) => s.status === 'needs_approval');
  expect(shown.pending).toMatchObject({ tool: 'Bash', summary: 'echo hi > f.txt', kind: 'approval', rule: 'Bash' });
  expect((await shownJson(id)).pending).toMatchObject({ tool: 'Bash', input: { command: 'echo hi > f.txt' } });
  expect(await exists(join(cwd, 'f.txt'))).toBe(false);

  const text = (await world.convo(['show', id])).stdout;
  expect(text).toMatch(/^ {2}waiting for approval: Bash: echo hi > f\.txt \(since \d\d:\d\d UTC, rule Bash\)$/m);
  expect(text).toContain(`  convo approve ${id} [--always] or convo deny ${id} [--reason TEXT]`);
  await waitUntil(async () => (await world.client.list({ status: 'needs_approval' })).some((r) => r.id === id), 30_000);
  expect((await world.convo(['list', '--status', 'needs_approval'])).stdout).toContain(id);

  const approved = await world.convo(['approve', id]);
  expect(approved.exitCode).toBe(0);
  expect(approved.stdout.trim()).toMatch(/^✓ approved Bash: echo hi > f\.txt by \S+@\S+ at \d\d:\d\d UTC$/);
  const done = await world.waitForState(id, (s) => s.status === 'idle' && s.turns[0]?.status === 'completed');
  expect(await exists(join(cwd, 'f.txt'))).toBe(true);
  expect(done.turns[0]!.reply).toBe('Wrote f.txt.');
  expect((await world.convo(['show', id])).stdout).toMatch(/^ {6}✓ approved .* by \S+@\S+ at \d\d:\d\d UTC$/m);
});

test('convo ask off a terminal: one line and exit status 3; convo deny --reason lets the turn go on', async () => {
  const cwd = await world.workspace('ask-denied');
  const id = (await world.convo(['start', '--cwd', cwd, '--approve', 'Bash'])).stdout.trim();
  bashWrite('g.txt', 'write g');
  const asked = await world.convo(['ask', id, 'write g']);
  expect(asked.exitCode).toBe(3);
  expect(asked.stdout).toBe('');
  expect(asked.stderr.trim()).toBe(
    `waiting for approval: Bash: echo hi > g.txt — convo approve ${id} or convo deny ${id}`,
  );
  expect((await world.client.state(id)).status).toBe('needs_approval');

  const denied = await world.convo(['deny', id, '--reason', 'not in this repo']);
  expect(denied.stdout.trim()).toMatch(/^✗ denied Bash: echo hi > g\.txt by \S+ at \d\d:\d\d UTC: not in this repo$/);
  await world.waitForState(id, (s) => s.status === 'idle' && s.turns[0]?.status === 'completed');
  expect(await exists(join(cwd, 'g.txt'))).toBe(false);
});

test('convo ask on a pseudo-terminal shows the waiting call and approves it right there', async () => {
  const cwd = await world.workspace('ask-inline');
  const id = (await world.convo(['start', '--cwd', cwd, '--approve', 'Bash'])).stdout.trim();
  bashWrite('h.txt', 'write h');
  const command = `stty cols 120 rows 40; node ${join(projectRoot, 'bin', 'convo.js')} ask ${id} 'write h'`;
  const { CI: _ci, ...shell } = world.env();
  // stdin stays open: the keystroke goes once the prompt shows, as a person's would.
  const tty: ResultPromise = execa('script', ['-qfec', command, '/dev/null'], {
    env: { ...shell, TERM: 'xterm' },
    extendEnv: false,
    reject: false,
    stdin: 'pipe',
  });
  let seen = '';
  tty.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  await waitUntil(() => seen.includes('approve: run it'), 60_000);
  tty.stdin!.write('\r');
  await waitUntil(() => seen.includes('Wrote h.txt.'), 60_000);
  tty.stdin!.end();
  const result = await tty;
  expect(result.exitCode).toBe(0);
  expect(seen).toContain('waiting for approval: Bash: echo hi > h.txt');
  expect(seen).toMatch(/✓ approved Bash: echo hi > h\.txt by \S+@\S+ at \d\d:\d\d UTC/);
  expect(await exists(join(cwd, 'h.txt'))).toBe(true);
});
