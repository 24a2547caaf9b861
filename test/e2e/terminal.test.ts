/**
 * The terminal commands a person operates conversations with: `convo history` reads a conversation as a chat,
 * `convo watch` follows a running turn live, `convo cancel` ends one, `convo list --status` filters on the search
 * attributes the workflow keeps, and `convo ask` shows a spinner only on a terminal. All on the real dev server,
 * worker, `claude` binary and `convo` command.
 */
import { execa } from 'execa';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { World, waitUntil } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('terminal');
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

const WRITE_FILE = { name: 'Bash', input: { command: 'echo hello > out.txt', description: 'write out.txt' } };

test('convo history prints the conversation as a chat, tool call and result in order', async () => {
  const cwd = await world.workspace('history');
  const id = await world.client.start({ cwd, allowedTools: ['Bash'], title: 'history' });
  world.model.script([{ text: 'I will write the file.', toolUse: WRITE_FILE }, { text: 'Wrote out.txt for you.' }]);
  await world.client.ask(id, 'Please write hello to out.txt');
  await world.client.ask(id, 'Thanks, and now?');
  await access(join(cwd, 'out.txt'));

  const result = await world.convo(['history', id]);
  expect(result.exitCode).toBe(0);
  const lines = result.stdout.split('\n');
  const order = [
    '── turn 1 ──',
    'user: Please write hello to out.txt',
    'assistant: I will write the file.',
    '  → Bash({"command":"echo hello > out.txt","description":"write out.txt"})',
    '  ← (Bash completed with no output)',
    'assistant: Wrote out.txt for you.',
    '── turn 2 ──',
    'user: Thanks, and now?',
  ];
  const positions = order.map((line) => lines.indexOf(line));
  expect(positions).not.toContain(-1);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  // The default reply of turn 2 proves the whole history (5 messages) went to the model.
  expect(lines[positions.at(-1)! + 1]).toBe('assistant: Received 5 messages. Last user text: "Thanks, and now?"');

  const json = JSON.parse((await world.convo(['history', id, '--json'])).stdout) as Array<{
    entries: Array<{ kind: string }>;
  }>;
  expect(json[0]!.entries.map((e) => e.kind)).toEqual(['user', 'assistant', 'tool_call', 'tool_result', 'assistant']);
});

test("convo watch shows a running turn's text and tool call before the turn ends, then its reply", async () => {
  const cwd = await world.workspace('watch');
  const id = await world.client.start({ cwd, allowedTools: ['Bash'] });
  // The tool call comes at once; the reply after it is held until the watcher has printed the tool call.
  let release!: () => void;
  world.model.script([
    { text: 'Writing.', toolUse: WRITE_FILE },
    { text: 'All written.', hold: new Promise<void>((r) => (release = r)) },
  ]);
  await world.client.send(id, 'write the file');

  const watcher = execa(
    'node',
    [join(projectRoot, 'bin', 'convo.js'), 'watch', id, '--until-idle', '--interval', '200'],
    {
      env: world.env(),
      extendEnv: false,
      reject: false,
    },
  );
  let output = '';
  watcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntil(async () => output.includes('→ Bash: echo hello > out.txt'), 60_000);
  // The turn is still running: its reply is held.
  const state = await world.client.state(id);
  expect(state.turns[0]!.status).toBe('running');
  expect(output).not.toContain('replied');
  release();

  const result = await watcher;
  expect(result.exitCode).toBe(0);
  const lines = result.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
  // In order: the turn starting, its text, the tool call and its result, the reply's text, the turn's end (the reply
  // was shown as it was written, so it is not printed again).
  const order = [
    'turn 1 running: write the file',
    '  Writing.',
    '  → Bash: echo hello > out.txt',
    '  ← (Bash completed with no output)',
    '  All written.',
  ];
  const positions = order.map((line) => lines.indexOf(line));
  expect(positions).not.toContain(-1);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(lines[positions.at(-1)! + 1]).toMatch(/^turn 1 replied in \d+s$/);
});

test('convo cancel kills a running turn; the turn fails with Cancelled and the next turn runs', async () => {
  const cwd = await world.workspace('cancel');
  const id = await world.client.start({ cwd });
  const held = world.holdReply('never answered', { text: 'too late' });
  const asked = world.convo(['ask', id, 'never answered']);
  await held.arrived;

  const cancelled = await world.convo(['cancel', id]);
  expect(cancelled.stdout.trim()).toBe(`cancelled turn 1 of ${id}`);
  const ask = await asked;
  expect(ask.exitCode).toBe(1);
  expect(ask.stderr.trim()).toBe('Cancelled: turn cancelled');
  const state = await world.client.state(id);
  expect(state.turns[0]).toMatchObject({ status: 'failed', error: { type: 'Cancelled' } });
  // The CLI was killed, not left to finish: the held request's connection is gone.
  expect(await pgrepClaude(cwd)).toBe(false);

  const refused = await world.convo(['cancel', id]);
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr.trim()).toBe(`convo: conversation ${id}: no turn is running or waiting`);

  held.release();
  expect((await world.client.ask(id, 'next one')).reply).toMatch(/Last user text: "next one"/);
});

test('convo list prints a table and filters on the ConversationStatus search attribute', async () => {
  const cwd = await world.workspace('list');
  const idle = await world.client.start({ cwd, title: 'an idle one' });
  const busy = await world.client.start({ cwd, title: 'a busy one' });
  const held = world.holdReply('keep me busy', { text: 'done' });
  await world.client.send(busy, 'keep me busy');
  await held.arrived;

  try {
    await waitUntil(async () => (await world.client.list({ status: 'running' })).some((r) => r.id === busy), 30_000);
    const running = await world.convo(['list', '--status', 'running']);
    expect(running.exitCode).toBe(0);
    expect(running.stdout).toMatch(/ID\s+│ STATUS\s+│ TURNS\s+│ TITLE\s+│ STARTED/);
    expect(running.stdout).toMatch(new RegExp(`${busy}\\s+│ running\\s+│ 1\\s+│ a busy one`));
    expect(running.stdout).not.toContain(idle);

    const idleRows = JSON.parse((await world.convo(['list', '--status', 'idle', '--json'])).stdout) as Array<{
      id: string;
      turns: number;
    }>;
    expect(idleRows).toContainEqual(
      expect.objectContaining({ id: idle, turns: 0, backend: 'claude', account: world.config.account }),
    );
    expect(idleRows.map((r) => r.id)).not.toContain(busy);

    const bad = await world.convo(['list', '--status', 'sleeping']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(
      /Allowed choices are idle, running, rate_limited, needs_attention, needs_approval, closed/,
    );
  } finally {
    held.release();
  }
});

test('convo ask shows a live spinner on a terminal and none when piped', async () => {
  const id = await world.client.start({ cwd: await world.workspace('spinner') });
  world.model.script({ text: 'slow answer', delayMs: 3000 });
  // `script` runs the command on a pseudo-terminal, as a person's shell would.
  const command = `stty cols 120 rows 40; node ${join(projectRoot, 'bin', 'convo.js')} ask ${id} 'take your time'`;
  const { CI: _ci, ...shell } = world.env();
  const tty = await execa('script', ['-qec', command, '/dev/null'], {
    env: { ...shell, TERM: 'xterm' },
    extendEnv: false,
    reject: false,
  });
  expect(tty.exitCode).toBe(0);
  expect(tty.stdout).toMatch(/turn 1 · \d+s/);
  expect(tty.stdout).toContain('slow answer');

  // A CI job's pseudo-terminal (CI set) is no person: no spinner, and no frozen first frame either.
  world.model.script({ text: 'ci answer', delayMs: 1500 });
  const ci = await execa('script', ['-qec', command.replace('take your time', 'in ci'), '/dev/null'], {
    env: { ...shell, TERM: 'xterm', CI: 'true' },
    extendEnv: false,
    reject: false,
  });
  expect(ci.exitCode).toBe(0);
  expect(ci.stdout.trim()).toBe('ci answer');

  const piped = await world.convo(['ask', id, 'again']);
  expect(piped.stdout).toBe('Received 5 messages. Last user text: "again"');
  expect(piped.stderr).toBe('');
});

/** True while a `claude` process runs in `cwd`. */
async function pgrepClaude(cwd: string): Promise<boolean> {
  const { stdout } = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  for (const line of stdout.split('\n').filter((l) => /claude/.test(l) && !/convo\.js/.test(l))) {
    const pid = line.trim().split(/\s+/)[0]!;
    const link = await execa('readlink', [`/proc/${pid}/cwd`], { reject: false });
    if (link.stdout.trim() === cwd) return true;
  }
  return false;
}
