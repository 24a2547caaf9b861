/**
 * Snapshot-mode workspaces on real git work trees: a failed attempt's edits are undone before the retry, the user's
 * HEAD, branch, index and stash stay as they were, snapshots live under refs/convo/<id>/. Calls openWorkspace / save /
 * release directly (no activity context).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../../src/activities/workspace/git.js';
import { openWorkspace } from '../../src/activities/workspace/open.js';
import type { OpenWorkspace, WorkspaceRun, WorkspaceSettings } from '../../src/activities/workspace/workspace.js';
import type { TurnWorkspace } from '../../src/common/workspace.js';
import { removeDir } from '../helpers/cleanup.js';

const IDENTITY = ['-c', 'user.name=User', '-c', 'user.email=user@example.com', '-c', 'commit.gpgSign=false'];
let base: string;
let settings: WorkspaceSettings;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'convo-ws-snapshot-'));
  settings = { dir: join(base, 'workspaces'), maxBytes: 1024 ** 3 };
});
afterAll(() => removeDir(base));

const run = (cwd: string, conversationId: string, turnIndex: number, workspace?: TurnWorkspace): WorkspaceRun => ({
  conversationId,
  turnIndex,
  prompt: 'edit things',
  options: { cwd },
  workspace,
  env: process.env,
});

async function open(r: WorkspaceRun): Promise<OpenWorkspace> {
  const ws = await openWorkspace(r, settings);
  if (!ws) throw new Error('no workspace');
  return ws;
}

async function files(cwd: string, paths: string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const p of paths) out[p] = await readFile(join(cwd, p), 'utf8').catch(() => null);
  return out;
}

const out = async (cwd: string, ...args: string[]): Promise<string> => (await git(args, { cwd })).trim();

/** What of the user's repository Convo must not touch. */
async function userState(cwd: string) {
  return {
    head: await out(cwd, 'rev-parse', 'HEAD'),
    branch: await out(cwd, 'symbolic-ref', '--short', 'HEAD'),
    staged: await out(cwd, 'diff', '--cached'),
    stash: await out(cwd, 'stash', 'list', '--format=%H %gs'),
    branches: await out(cwd, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/stash'),
  };
}

/** A user's repository: a feature branch, a stash entry, a staged change, an unstaged one, an untracked and an
 * ignored file. */
async function userRepo(name: string): Promise<string> {
  const cwd = join(base, name);
  await mkdir(join(cwd, 'src'), { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd });
  await writeFile(join(cwd, 'a.txt'), 'a1\na2\na3\n');
  await writeFile(join(cwd, 'src/b.txt'), 'b1\n');
  await writeFile(join(cwd, '.gitignore'), '*.log\n');
  await git(['add', '--all'], { cwd });
  await git([...IDENTITY, 'commit', '--quiet', '-m', 'initial'], { cwd });
  await git(['checkout', '--quiet', '-b', 'feature'], { cwd });
  await writeFile(join(cwd, 'src/b.txt'), 'b1\nb2\n');
  await git([...IDENTITY, 'commit', '--quiet', '-am', 'feature work'], { cwd });
  await writeFile(join(cwd, 'a.txt'), 'stashed\n');
  await git([...IDENTITY, 'stash', '--quiet'], { cwd });
  await writeFile(join(cwd, 'src/b.txt'), 'b1\nb2\nstaged\n');
  await git(['add', 'src/b.txt'], { cwd });
  await writeFile(join(cwd, 'a.txt'), 'a1\na2\na3\nunstaged\n');
  await writeFile(join(cwd, 'untracked.txt'), 'mine\n');
  await writeFile(join(cwd, 'debug.log'), 'ignored\n');
  return cwd;
}

const PATHS = ['a.txt', 'src/b.txt', 'untracked.txt', 'debug.log', 'new.txt', 'src/deep/new.txt'];

test("a failed attempt's edits are undone before the retry; HEAD, branch, index and stash never move", async () => {
  const cwd = await userRepo('user');
  const before = await userState(cwd);
  const filesBefore = await files(cwd, PATHS);

  // Attempt 1 edits, adds, deletes, then dies (no save).
  const attempt = await open(run(cwd, 'conv', 0));
  expect(attempt.cwd).toBe(cwd);
  const start = await out(cwd, 'rev-parse', 'refs/convo/conv/start-1');
  expect(await out(cwd, 'rev-parse', 'refs/convo/conv/resume-1')).toBe(start);
  await writeFile(join(cwd, 'a.txt'), 'half-done\n');
  await writeFile(join(cwd, 'new.txt'), 'new\n');
  await mkdir(join(cwd, 'src/deep'));
  await writeFile(join(cwd, 'src/deep/new.txt'), 'deep\n');
  await rm(join(cwd, 'untracked.txt'));
  await writeFile(join(cwd, 'debug.log'), 'the attempt logged\n');
  await attempt.release();

  // The retry finds the files as they were before attempt 1 (ignored files are not Convo's).
  const retry = await open(run(cwd, 'conv', 0));
  expect(await files(cwd, PATHS)).toEqual({ ...filesBefore, 'debug.log': 'the attempt logged\n' });
  expect(await stat(join(cwd, 'src/deep')).catch(() => 'gone')).toBe('gone');
  expect(await userState(cwd)).toEqual(before);
  expect(await out(cwd, 'rev-parse', 'refs/convo/conv/start-1')).toBe(start);

  // It succeeds: turn-1 holds the work tree after it, with the files it changed.
  await writeFile(join(cwd, 'a.txt'), 'a1\nA2\na3\nunstaged\n');
  await writeFile(join(cwd, 'new.txt'), 'n1\nn2\n');
  const change = await retry.save({ paused: false });
  await retry.release();
  const after = await out(cwd, 'rev-parse', 'refs/convo/conv/turn-1');
  expect(change).toEqual({
    from: start,
    commit: after,
    files: [
      { path: 'a.txt', added: 1, removed: 1 },
      { path: 'new.txt', added: 2, removed: 0 },
    ],
  });
  expect(await out(cwd, 'show', `${after}:new.txt`)).toBe('n1\nn2');
  expect(await out(cwd, 'show', `${after}:untracked.txt`)).toBe('mine');
  expect(await out(cwd, 'rev-parse', `${after}^`)).toBe(before.head);
  expect(await userState(cwd)).toEqual(before);
  expect((await readdir(join(cwd, '.git'))).filter((f) => f.startsWith('convo-index'))).toEqual([]);

  // Turn 2 changes nothing: no snapshot commit reported.
  const quiet = await open(run(cwd, 'conv', 1));
  const none = await quiet.save({ paused: false });
  await quiet.release();
  expect(none).toEqual({ from: await out(cwd, 'rev-parse', 'refs/convo/conv/start-2'), files: [] });
});

test('a paused run leaves resume-N: its continuation restores to the pause, reports the whole turn', async () => {
  const cwd = await userRepo('paused');
  const first = await open(run(cwd, 'p', 0));
  await writeFile(join(cwd, 'new.txt'), 'before the pause\n');
  const pausedChange = await first.save({ paused: true });
  await first.release();
  const resume = await out(cwd, 'rev-parse', 'refs/convo/p/resume-1');
  expect(pausedChange.commit).toBe(resume);
  await expect(out(cwd, 'rev-parse', '--verify', '--quiet', 'refs/convo/p/turn-1')).rejects.toThrow();

  // A continuation attempt that dies after an edit, then one that finishes.
  const dying = await open(run(cwd, 'p', 0));
  await writeFile(join(cwd, 'new.txt'), 'garbage\n');
  await dying.release();
  const cont = await open(run(cwd, 'p', 0));
  expect(await readFile(join(cwd, 'new.txt'), 'utf8')).toBe('before the pause\n');
  await writeFile(join(cwd, 'later.txt'), 'after\n');
  const done = await cont.save({ paused: false });
  await cont.release();
  expect(done.from).toBe(await out(cwd, 'rev-parse', 'refs/convo/p/start-1'));
  expect(done.files.map((f) => f.path)).toEqual(['later.txt', 'new.txt']);
});

test('a cwd that is not a git work tree has no workspace', async () => {
  const plain = join(base, 'plain');
  await mkdir(plain);
  expect(await openWorkspace(run(plain, 'n', 0), settings)).toBeUndefined();
  const bare = join(base, 'bare.git');
  await git(['init', '--quiet', '--bare', bare]);
  expect(await openWorkspace(run(bare, 'n', 0), settings)).toBeUndefined();
});

test('a cwd found through a symlink, or in a subfolder of a work tree, or a linked worktree, is a work tree', async () => {
  const repo = await userRepo('linked');
  const sub = join(repo, 'sub', 'deeper');
  await mkdir(sub, { recursive: true });
  const link = join(base, 'link-to-sub');
  await symlink(sub, link);
  const worktree = join(base, 'linked-worktree');
  await git(['worktree', 'add', '--quiet', '-b', 'wt', worktree], { cwd: repo });
  for (const cwd of [sub, link, worktree]) {
    const ws = await open(run(cwd, `linked-${cwd.length}`, 0));
    expect(ws.cwd).toBe(cwd);
  }
});

test('a repository with no commit yet (unborn HEAD) works', async () => {
  const cwd = join(base, 'unborn');
  await mkdir(cwd);
  await git(['init', '--quiet', '--initial-branch=main'], { cwd });
  await writeFile(join(cwd, 'x.txt'), 'x\n');
  const failed = await open(run(cwd, 'u', 0));
  await writeFile(join(cwd, 'x.txt'), 'broken\n');
  await writeFile(join(cwd, 'y.txt'), 'y\n');
  await failed.release();
  const ws = await open(run(cwd, 'u', 0));
  expect(await files(cwd, ['x.txt', 'y.txt'])).toEqual({ 'x.txt': 'x\n', 'y.txt': null });
  await writeFile(join(cwd, 'y.txt'), 'y1\ny2\n');
  const change = await ws.save({ paused: false });
  await ws.release();
  expect(change.files).toEqual([{ path: 'y.txt', added: 2, removed: 0 }]);
  expect(await out(cwd, 'rev-list', '--parents', '-n', '1', change.commit!)).toBe(change.commit);
  await expect(out(cwd, 'rev-parse', '--verify', '--quiet', 'HEAD')).rejects.toThrow();
  expect(await out(cwd, 'ls-files')).toBe('');
});

test("a fork's first turn starts from the source's snapshot", async () => {
  const cwd = await userRepo('fork');
  const t1 = await open(run(cwd, 'source', 0));
  await writeFile(join(cwd, 'one.txt'), 'turn one\n');
  const one = await t1.save({ paused: false });
  await t1.release();
  const t2 = await open(run(cwd, 'source', 1));
  await writeFile(join(cwd, 'one.txt'), 'turn two\n');
  await writeFile(join(cwd, 'two.txt'), 'turn two\n');
  await t2.save({ paused: false });
  await t2.release();

  const fork = await open(run(cwd, 'fork', 1, { head: one.commit }));
  expect(await files(cwd, ['one.txt', 'two.txt'])).toEqual({ 'one.txt': 'turn one\n', 'two.txt': null });
  const forkStart = await out(cwd, 'rev-parse', 'refs/convo/fork/start-2');
  expect(await out(cwd, 'rev-parse', `${forkStart}^{tree}`)).toBe(await out(cwd, 'rev-parse', `${one.commit}^{tree}`));
  await fork.release();

  const missing = await openWorkspace(run(cwd, 'fork2', 0, { head: 'f'.repeat(40) }), settings).catch((e) => e);
  expect(missing).toMatchObject({ type: 'WorkspaceUnavailable' });
});
