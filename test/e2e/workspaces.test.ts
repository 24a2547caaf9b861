/**
 * The work is durable too, end to end (real dev server, `convo worker` processes with their own HOME and
 * `CONVO_WORKSPACES_DIR`, the real `claude`, a real git remote served over the network on 127.0.0.1; only the model
 * is scripted): a repo conversation's files follow it from worker to worker as one commit per turn; a worker killed
 * after the agent changed files leaves nothing of that attempt behind, in a repo checkout and in a user's own work
 * tree; `convo diff` shows each turn's change; `convo fork --at 1` continues from turn 1's transcript and files.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordedRequest } from '../../src/testing/model-server/types.js';
import { startGitRemote, type GitRemote } from '../../src/testing/git-remote.js';
import { World, type WorkerProcess } from '../helpers/world.js';

const run = promisify(execFile);
const git = async (cwd: string, ...args: string[]): Promise<string> => (await run('git', args, { cwd })).stdout.trim();

let world: World;
let remote: GitRemote;
beforeAll(async () => {
  world = await World.create('workspaces');
  remote = await startGitRemote();
});
// Each test runs on its own workers (they share the world's task queue) and its own script.
afterEach(async () => {
  await Promise.all(world.workers.map((w) => w.stop('SIGKILL')));
  world.model.clearScript();
});
afterAll(async () => {
  await world?.dispose();
  await remote?.stop();
});

/** A worker of this file: its own HOME (World) and its own workspaces dir (no disk shared with another worker). */
function startWorker(name: string, workspaces = join(world.baseDir, name, 'workspaces')): Promise<WorkerProcess> {
  return world.startWorker(name, { CONVO_WORKSPACES_DIR: workspaces });
}

/** A Bash tool call, scripted as the model's reply. */
const bash = (command: string) => ({ toolUse: { name: 'Bash', input: { command, description: 'run a command' } } });

/** Everything the model was sent in `request`, as one text to search. */
const sent = (request: RecordedRequest | undefined): string => JSON.stringify(request?.messages ?? []);

/** The output of the last tool call the model was sent in `request` (its `tool_result`). */
function toolOutput(request: RecordedRequest | undefined): string {
  const blocks = (request?.messages ?? []).flatMap((m) => (Array.isArray(m.content) ? m.content : []));
  const result = blocks.filter((b) => b.type === 'tool_result').at(-1) as { content?: unknown } | undefined;
  return typeof result?.content === 'string' ? result.content : JSON.stringify(result?.content ?? '');
}

test('a repo conversation: turn 1 on worker A writes a file, turn 2 on worker B reads it; one commit per turn', async () => {
  await remote.createRepo('app', { 'README.md': '# app\n' });
  const a = await startWorker('repo-a');
  const id = await world.client.start({ repo: remote.url('app'), allowedTools: ['Bash'] });

  world.model.script([bash("printf 'the secret word is plum\\n' > notes.txt"), { text: 'wrote the notes' }]);
  expect((await world.client.ask(id, 'write the notes')).reply).toBe('wrote the notes');
  await a.stop();

  await startWorker('repo-b');
  world.model.script([bash('cat notes.txt && echo second >> log.txt'), { text: 'read the notes' }]);
  expect((await world.client.ask(id, 'read the notes back')).reply).toBe('read the notes');
  // The tool call on worker B read what worker A's turn wrote: the model's next request holds it.
  expect(sent(world.model.mainRequests().at(-1))).toContain('the secret word is plum');

  const state = await world.client.state(id);
  const log = await remote.log('app', `convo/${id}`);
  // Newest first: turn 2's commit, turn 1's, then the remote's own first commit.
  expect(log.map((c) => c.subject)).toEqual([
    'turn 2: read the notes back',
    'turn 1: write the notes',
    expect.any(String),
  ]);
  expect(log[0]!.trailers).toMatchObject({ 'Convo-Conversation': id, 'Convo-Turn': '2' });
  expect(log[1]!.trailers).toMatchObject({ 'Convo-Conversation': id, 'Convo-Turn': '1' });
  expect(log[0]!.parents).toEqual([log[1]!.sha]);
  expect(state.turns.map((t) => t.workspace?.commit)).toEqual([log[1]!.sha, log[0]!.sha]);
  expect(state.turns[1]!.workspace?.files).toEqual([{ path: 'log.txt', added: 1, removed: 0 }]);
  expect(state.repo).toEqual({ url: remote.url('app'), branch: `convo/${id}`, head: log[0]!.sha });

  // convo diff: each turn's change, and the whole conversation's.
  const turn1 = await world.convo(['diff', id, '--turn', '1']);
  expect(turn1.exitCode).toBe(0);
  expect(turn1.stdout).toContain('+++ b/notes.txt');
  expect(turn1.stdout).toContain('+the secret word is plum');
  expect(turn1.stdout).not.toContain('log.txt');
  const turn2 = await world.convo(['diff', id, '--turn', '2']);
  expect(turn2.stdout).toContain('+++ b/log.txt');
  expect(turn2.stdout).not.toContain('notes.txt');
  const whole = await world.convo(['diff', id]);
  expect(whole.stdout).toContain('+++ b/notes.txt');
  expect(whole.stdout).toContain('+++ b/log.txt');

  // convo show names the branch and each turn's commit; a turn that changed nothing says so.
  const shown = await world.convo(['show', id]);
  expect(shown.stdout).toContain(`branch convo/${id}`);
  expect(shown.stdout).toContain(`commit ${log[0]!.sha.slice(0, 7)}: 1 file changed (+1 -0)`);
  world.model.script({ text: 'nothing to change' });
  await world.client.ask(id, 'just answer');
  const unchanged = await world.convo(['diff', id, '--turn', '3']);
  expect([unchanged.exitCode, unchanged.stdout, unchanged.stderr.trim()]).toEqual([0, '', 'turn 3 changed no files']);
  expect((await remote.log('app', `convo/${id}`)).length).toBe(3);
});

test('a worker killed after the tool call changed files: the retry starts from the last commit; one commit for the turn', async () => {
  await remote.createRepo('crash', { 'README.md': '# crash\n' });
  const workspaces = join(world.baseDir, 'crash-a', 'workspaces');
  const a = await startWorker('crash-a', workspaces);
  const id = await world.client.start({ repo: remote.url('crash'), allowedTools: ['Bash'] });
  world.model.script([bash('echo one > one.txt'), { text: 'one' }]);
  await world.client.ask(id, 'turn one');

  world.model.script(bash('echo half-made > half.txt'));
  const held = world.holdReply('turn two', { text: 'never reaches worker A' });
  try {
    const asked = world.client.ask(id, 'turn two');
    await held.arrived;
    // The tool call ran: the half-made change is in worker A's checkout.
    expect(await readFile(join(workspaces, id, 'half.txt'), 'utf8')).toBe('half-made\n');
    expect(await a.stop('SIGKILL')).toBeNull();

    // The next worker on the same machine, with the same workspaces dir: the same checkout path.
    world.model.script([bash('ls; echo whole > whole.txt'), { text: 'two' }]);
    await startWorker('crash-a-again', workspaces);
    expect((await asked).reply).toBe('two');
  } finally {
    held.release();
  }
  // The retry's tool call listed the files it started with: turn one's, not the half-made one.
  const listed = toolOutput(world.model.mainRequests().at(-1));
  expect(listed).toContain('one.txt');
  expect(listed).not.toContain('half.txt');

  const log = await remote.log('crash', `convo/${id}`);
  expect(log.filter((c) => c.trailers['Convo-Turn'] === '2')).toHaveLength(1);
  expect(log.map((c) => c.subject).slice(0, 2)).toEqual(['turn 2: turn two', 'turn 1: turn one']);
  expect((await world.client.state(id)).turns[1]!.workspace?.files).toEqual([
    { path: 'whole.txt', added: 1, removed: 0 },
  ]);
});

test('--cwd on a git work tree: a killed attempt is undone, and the user branch, index and stash are untouched', async () => {
  const cwd = await world.workspace('user-tree');
  await git(cwd, 'init', '-q', '-b', 'feature');
  await git(cwd, 'config', 'user.email', 'me@example.com');
  await git(cwd, 'config', 'user.name', 'Me');
  await writeFile(join(cwd, 'app.txt'), 'v1\n');
  await git(cwd, 'add', 'app.txt');
  await git(cwd, 'commit', '-qm', 'first');
  await writeFile(join(cwd, 'app.txt'), 'stashed\n');
  await git(cwd, 'stash', '-q');
  await writeFile(join(cwd, 'staged.txt'), 'staged\n');
  await git(cwd, 'add', 'staged.txt');
  await writeFile(join(cwd, 'mine.txt'), 'my own uncommitted work\n');
  const before = {
    head: await git(cwd, 'rev-parse', 'HEAD'),
    branch: await git(cwd, 'branch', '--show-current'),
    index: await git(cwd, 'diff', '--cached', '--name-status'),
    stash: await git(cwd, 'stash', 'list'),
  };

  const workerA = await startWorker('tree-a');
  const id = await world.client.start({ cwd, allowedTools: ['Bash'] });
  world.model.script(bash('echo broken > app.txt && echo half > half.txt'));
  const held = world.holdReply('change the app', { text: 'never reaches worker A' });
  try {
    const asked = world.client.ask(id, 'change the app');
    await held.arrived;
    expect(await readFile(join(cwd, 'half.txt'), 'utf8')).toBe('half\n');
    expect(await workerA.stop('SIGKILL')).toBeNull();
    world.model.script([bash('cat app.txt; ls; echo v2 > app.txt'), { text: 'changed' }]);
    await startWorker('tree-b');
    expect((await asked).reply).toBe('changed');
  } finally {
    held.release();
  }
  // The retry started from the files as they were before the turn: the user's own work kept, the attempt's gone.
  expect(toolOutput(world.model.mainRequests().at(-1))).toBe('v1\napp.txt\nmine.txt\nstaged.txt');
  expect(await readFile(join(cwd, 'app.txt'), 'utf8')).toBe('v2\n');
  expect(await readFile(join(cwd, 'mine.txt'), 'utf8')).toBe('my own uncommitted work\n');

  expect({
    head: await git(cwd, 'rev-parse', 'HEAD'),
    branch: await git(cwd, 'branch', '--show-current'),
    index: await git(cwd, 'diff', '--cached', '--name-status'),
    stash: await git(cwd, 'stash', 'list'),
  }).toEqual(before);
  // The snapshot after the turn is a ref of Convo's own; the turn records what it changed.
  const turn = (await world.client.state(id)).turns[0]!;
  expect(await git(cwd, 'rev-parse', `refs/convo/${id}/turn-1`)).toBe(turn.workspace?.commit);
  expect(turn.workspace?.files).toEqual([{ path: 'app.txt', added: 1, removed: 1 }]);
  const diff = await world.convo(['diff', id, '--turn', '1']);
  expect(diff.stdout).toContain('-v1');
  expect(diff.stdout).toContain('+v2');
});

test('convo fork --at 1 of a 3-turn conversation: the fork has turn 1 history and files only', async () => {
  await remote.createRepo('fork', { 'README.md': '# fork\n' });
  await startWorker('fork');
  const id = await world.client.start({ repo: remote.url('fork'), allowedTools: ['Bash'] });
  for (const n of ['one', 'two', 'three']) {
    world.model.script([bash(`echo ${n} > ${n}.txt`), { text: `wrote ${n}` }]);
    await world.client.ask(id, `write file ${n}`);
  }

  const forked = await world.convo(['fork', id, '--at', '1']);
  expect(forked.stderr).toBe('');
  const forkId = forked.stdout.trim();
  expect(forkId).not.toBe(id);

  world.model.script([bash('ls; echo four > four.txt'), { text: 'listed' }]);
  expect((await world.client.ask(forkId, 'list the files')).reply).toBe('listed');
  const requests = world.model.mainRequests();
  const first = sent(requests.at(-2));
  expect(first).toContain('write file one');
  expect(first).not.toContain('write file two');
  expect(toolOutput(requests.at(-1))).toBe('README.md\none.txt');

  // The fork has a branch of its own, from turn 1's commit; the source is untouched.
  const source = await world.client.state(id);
  const forkLog = await remote.log('fork', `convo/${forkId}`);
  expect(forkLog.map((c) => c.subject).slice(0, 2)).toEqual(['turn 1: list the files', 'turn 1: write file one']);
  expect(forkLog[1]!.sha).toBe(source.turns[0]!.workspace?.commit);
  expect((await remote.log('fork', `convo/${id}`)).length).toBe(4);
  expect((await world.client.state(forkId)).options.forkOf).toMatchObject({ conversationId: id, turn: 0 });
});

test('opencode: convo fork --at 1 continues from turn 1 of the transcript', async () => {
  await startWorker('fork-opencode');
  const cwd = await world.workspace('fork-opencode');
  const id = await world.client.start({ cwd, backend: 'opencode' });
  for (const n of ['one', 'two', 'three']) await world.client.ask(id, `opencode turn ${n}`);
  const forkId = (await world.client.fork(id, { at: 1 })).trim();
  await world.client.ask(forkId, 'after the fork');
  const request = sent(world.model.mainRequests().at(-1));
  expect(request).toContain('opencode turn one');
  expect(request).not.toContain('opencode turn two');
  expect(request).toContain('after the fork');
  // The source goes on as it was.
  await world.client.ask(id, 'source again');
  expect(sent(world.model.mainRequests().at(-1))).toContain('opencode turn three');
});

test('a push the remote refuses waits for a person instead of overwriting the branch', async () => {
  await remote.createRepo('moved', { 'README.md': '# moved\n' });
  await startWorker('moved');
  const id = await world.client.start({ repo: remote.url('moved'), allowedTools: ['Bash'] });
  world.model.script([bash('echo mine > mine.txt'), { text: 'mine' }]);
  await world.client.ask(id, 'write mine');

  // Someone else moves the conversation's branch.
  const elsewhere = join(world.baseDir, 'someone-else');
  await mkdir(elsewhere, { recursive: true });
  await git(elsewhere, 'clone', '-q', '--branch', `convo/${id}`, remote.url('moved'), 'repo');
  const clone = join(elsewhere, 'repo');
  await writeFile(join(clone, 'theirs.txt'), 'theirs\n');
  await git(clone, 'add', 'theirs.txt');
  await git(clone, '-c', 'user.name=Other', '-c', 'user.email=o@example.com', 'commit', '-qm', 'their change');
  await git(clone, 'push', '-q', 'origin', `convo/${id}`);
  const theirs = await git(clone, 'rev-parse', 'HEAD');

  world.model.script([bash('echo more > more.txt'), { text: 'more' }]);
  await world.client.send(id, 'write more');
  const waiting = await world.waitForState(id, (s) => s.status === 'needs_attention');
  expect(waiting.attention?.type).toBe('PushRejected');
  expect(waiting.attention?.message).toContain(`convo/${id}`);
  expect((await remote.log('moved', `convo/${id}`))[0]!.sha).toBe(theirs);
  await world.client.skip(id);
  // The agent never ran: its scripted replies are unused.
  world.model.clearScript();
});
