/**
 * Repo-mode workspaces against a real git remote served over HTTP on 127.0.0.1: checkouts on two "workers" (two
 * workspaces dirs, no shared disk), one commit per turn with its trailers, the orphan rule, the lease, `${VAR}` URLs,
 * the clone cache and its bound. Calls openWorkspace / save / release directly (no activity context).
 */
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { bytesOf } from '../../src/activities/workspace/cache-bound.js';
import { cacheEntryPath, STAMP_FILE } from '../../src/activities/workspace/clone-cache.js';
import { git } from '../../src/activities/workspace/git.js';
import { openWorkspace } from '../../src/activities/workspace/open.js';
import { expandRepoUrl } from '../../src/activities/workspace/repo-url.js';
import type { OpenWorkspace, WorkspaceRun, WorkspaceSettings } from '../../src/activities/workspace/workspace.js';
import type { TurnWorkspace } from '../../src/common/workspace.js';
import { removeDir } from '../helpers/cleanup.js';
import { startGitRemote, type GitRemote } from '../../src/testing/git-remote.js';

const TOKEN = 'tok-s3cr3t-0123456789';
let remote: GitRemote;
let base: string;
let workerA: WorkspaceSettings;
let workerB: WorkspaceSettings;

beforeAll(async () => {
  remote = await startGitRemote({ password: TOKEN });
  base = await mkdtemp(join(tmpdir(), 'convo-ws-repo-'));
  workerA = { dir: join(base, 'worker-a'), maxBytes: 1024 ** 4 };
  workerB = { dir: join(base, 'worker-b'), maxBytes: 1024 ** 4 };
});
afterAll(async () => {
  await remote?.stop();
  await removeDir(base);
});

const env = { ...process.env, GIT_TOKEN: TOKEN };
const repoUrl = (name: string): string => remote.url(name, 'convo:${GIT_TOKEN}');

function run(
  name: string,
  conversationId: string,
  turnIndex: number,
  prompt: string,
  workspace?: TurnWorkspace,
  extra: Partial<WorkspaceRun['options']> = {},
): WorkspaceRun {
  return { conversationId, turnIndex, prompt, options: { repo: repoUrl(name), ...extra }, workspace, env };
}

async function open(r: WorkspaceRun, settings: WorkspaceSettings): Promise<OpenWorkspace> {
  const ws = await openWorkspace(r, settings);
  if (!ws) throw new Error('no workspace');
  return ws;
}

/** Opens, lets `edit` change the checkout, saves and releases: one successful run. */
async function turn(
  r: WorkspaceRun,
  settings: WorkspaceSettings,
  edit: (cwd: string) => Promise<void>,
  paused = false,
) {
  const ws = await open(r, settings);
  try {
    await edit(ws.cwd);
    return await ws.save({ paused });
  } finally {
    await ws.release();
  }
}

const write = (files: Record<string, string>) => async (cwd: string) => {
  for (const [path, content] of Object.entries(files)) await writeFile(join(cwd, path), content);
};
const nothing = async (): Promise<void> => undefined;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('a first run branches convo/<id> from the default branch; a change is one pushed commit with trailers, no change is none', async () => {
  await remote.createRepo('first', { 'README.md': 'hello\n', 'src/a.txt': 'one\ntwo\n' }, { branch: 'trunk' });
  const initial = (await remote.log('first', 'trunk'))[0]!.sha;

  const ws = await open(run('first', 'c1', 0, 'Write notes.txt and fix a.txt\nmore words'), workerA);
  expect(ws.cwd).toBe(join(workerA.dir, 'c1'));
  expect(await readFile(join(ws.cwd, 'README.md'), 'utf8')).toBe('hello\n');
  await writeFile(join(ws.cwd, 'notes.txt'), 'n1\nn2\nn3\n');
  await writeFile(join(ws.cwd, 'src/a.txt'), 'one\n2\n');
  const change = await ws.save({ paused: false });
  await ws.release();

  expect(change).toEqual({
    from: initial,
    commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    head: change.commit,
    headRef: 'convo/c1',
    files: [
      { path: 'notes.txt', added: 3, removed: 0 },
      { path: 'src/a.txt', added: 1, removed: 1 },
    ],
  });
  const log = await remote.log('first', 'convo/c1');
  expect(log).toHaveLength(2);
  expect(log[0]).toEqual({
    sha: change.commit,
    parents: [initial],
    subject: 'turn 1: Write notes.txt and fix a.txt',
    trailers: { 'Convo-Conversation': 'c1', 'Convo-Turn': '1' },
  });

  // Turn 2 changes nothing: no commit, the head stays.
  const same = await turn(
    run('first', 'c1', 1, 'look around', { head: change.head, headRef: 'convo/c1' }),
    workerA,
    nothing,
  );
  expect(same).toEqual({ from: change.commit, head: change.commit, headRef: 'convo/c1', files: [] });
  expect(await remote.log('first', 'convo/c1')).toHaveLength(2);
});

test('a first run that changes nothing makes no branch and names the base as where its head is', async () => {
  await remote.createRepo('quiet', { 'a.txt': 'a\n' });
  const initial = (await remote.log('quiet', 'main'))[0]!.sha;
  const change = await turn(run('quiet', 'q1', 0, 'just read'), workerA, nothing);
  expect(change).toEqual({ from: initial, head: initial, headRef: 'main', files: [] });
  expect(await remote.log('quiet', 'convo/q1')).toEqual([]);
});

test('another worker continues from the head; a failed attempt leaves nothing behind; the checkout is reused', async () => {
  await remote.createRepo('two', { 'a.txt': 'a\n', '.gitignore': 'build/\n' });
  const t1 = await turn(run('two', 'c2', 0, 'write hello'), workerA, write({ 'hello.txt': 'hello from A\n' }));

  // Worker B: its first attempt at turn 2 changes files and dies (no save).
  const head = { head: t1.head, headRef: t1.headRef };
  const failed = await open(run('two', 'c2', 1, 'change things', head), workerB);
  expect(await readFile(join(failed.cwd, 'hello.txt'), 'utf8')).toBe('hello from A\n');
  await writeFile(join(failed.cwd, 'hello.txt'), 'half-changed\n');
  await writeFile(join(failed.cwd, 'junk.txt'), 'junk\n');
  await writeFile(join(failed.cwd, 'a.txt'), 'staged\n');
  await git(['add', 'a.txt'], { cwd: failed.cwd });
  await git(['rm', '--quiet', '--cached', 'hello.txt'], { cwd: failed.cwd }).catch(() => undefined);
  await failed.release();

  // The retry on B starts clean from the head, in the same checkout.
  const inode = (await stat(join(workerB.dir, 'c2'))).ino;
  const retry = await open(run('two', 'c2', 1, 'change things', head), workerB);
  expect((await stat(retry.cwd)).ino).toBe(inode);
  expect(await readFile(join(retry.cwd, 'hello.txt'), 'utf8')).toBe('hello from A\n');
  expect(await readFile(join(retry.cwd, 'a.txt'), 'utf8')).toBe('a\n');
  expect(await exists(join(retry.cwd, 'junk.txt'))).toBe(false);
  expect(await git(['status', '--porcelain'], { cwd: retry.cwd })).toBe('');
  expect((await git(['rev-parse', 'HEAD'], { cwd: retry.cwd })).trim()).toBe(t1.head);
  await writeFile(join(retry.cwd, 'b.txt'), 'b\n');
  const t2 = await retry.save({ paused: false });
  await retry.release();
  expect(t2.files).toEqual([{ path: 'b.txt', added: 1, removed: 0 }]);

  const log = await remote.log('two', 'convo/c2');
  expect(log.map((c) => c.trailers['Convo-Turn'])).toEqual(['2', '1', undefined]);
  expect(log[0]!.parents).toEqual([t1.commit]);
});

test('a commit an earlier run of the same turn left on the branch is replaced: one commit per turn', async () => {
  await remote.createRepo('orphan', { 'a.txt': 'a\n' });
  const t1 = await turn(run('orphan', 'c3', 0, 'one'), workerA, write({ 'one.txt': '1\n' }));
  const head = { head: t1.head, headRef: t1.headRef };

  // Worker A pushes turn 2, then dies before the workflow hears of it.
  const lost = await turn(run('orphan', 'c3', 1, 'two'), workerA, write({ 'lost.txt': 'lost\n' }));
  expect((await remote.log('orphan', 'convo/c3'))[0]!.sha).toBe(lost.commit);

  // The retry on worker B starts from turn 1's commit, without the lost attempt's file, and replaces its commit.
  const retry = await open(run('orphan', 'c3', 1, 'two', head), workerB);
  expect(await exists(join(retry.cwd, 'lost.txt'))).toBe(false);
  expect(await exists(join(retry.cwd, 'one.txt'))).toBe(true);
  await writeFile(join(retry.cwd, 'two.txt'), '2\n');
  const t2 = await retry.save({ paused: false });
  await retry.release();
  expect(t2.from).toBe(t1.commit);
  expect(t2.files).toEqual([{ path: 'two.txt', added: 1, removed: 0 }]);
  const log = await remote.log('orphan', 'convo/c3');
  expect(log.map((c) => c.trailers['Convo-Turn'])).toEqual(['2', '1', undefined]);
  expect(log[0]!.sha).toBe(t2.commit);

  // A first run whose push landed and whose worker died: the retry (no head known) starts from the commit's parent.
  const first = await turn(run('orphan', 'c4', 0, 'first'), workerA, write({ 'x.txt': 'x\n' }));
  const again = await open(run('orphan', 'c4', 0, 'first'), workerB);
  expect(await exists(join(again.cwd, 'x.txt'))).toBe(false);
  await writeFile(join(again.cwd, 'y.txt'), 'y\n');
  const replaced = await again.save({ paused: false });
  await again.release();
  expect(replaced.from).toBe(first.from);
  expect((await remote.log('orphan', 'convo/c4')).map((c) => c.sha)).toEqual([replaced.commit, first.from]);
});

test("someone else's commit on the branch is never overwritten: PushRejected at open and at push", async () => {
  await remote.createRepo('theirs', { 'a.txt': 'a\n' });
  const t1 = await turn(run('theirs', 'c5', 0, 'one'), workerA, write({ 'one.txt': '1\n' }));

  // Someone pushes while turn 2 runs.
  const ws = await open(run('theirs', 'c5', 1, 'two', { head: t1.head, headRef: t1.headRef }), workerA);
  await writeFile(join(ws.cwd, 'two.txt'), '2\n');
  const theirs = await remote.commit('theirs', 'convo/c5', { 'their.txt': 'mine\n' });
  const atPush = await failureOf(ws.save({ paused: false }));
  await ws.release();
  expect(atPush.type).toBe('PushRejected');
  expect(atPush.nonRetryable).toBe(true);
  expect(atPush.message).toContain('convo/c5');
  expect(atPush.message).toContain(theirs);
  expect(atPush.message).not.toContain(TOKEN);
  expect((await remote.log('theirs', 'convo/c5'))[0]!.sha).toBe(theirs);

  // The next run finds the branch moved: refused before the CLI runs.
  const atOpen = await failureOf(openWorkspace(run('theirs', 'c5', 1, 'two', { head: t1.head }), workerB));
  expect(atOpen.type).toBe('PushRejected');
  expect(atOpen.message).toContain(`expected ${t1.head}`);
  expect((await remote.log('theirs', 'convo/c5'))[0]!.sha).toBe(theirs);
});

test('a paused run, then its continuation: one commit for the turn, from where the turn began', async () => {
  await remote.createRepo('paused', { 'a.txt': 'a\n' });
  const start = (await remote.log('paused', 'main'))[0]!.sha;
  const p = await turn(run('paused', 'c6', 0, 'edit twice'), workerA, write({ 'first.txt': 'f\n' }), true);
  expect((await remote.log('paused', 'convo/c6'))[0]!.subject).toBe('turn 1 (paused): edit twice');

  const cont = await open(
    run('paused', 'c6', 0, 'edit twice', { head: p.head, headRef: p.headRef, turnFrom: p.from }),
    workerB,
  );
  expect(await readFile(join(cont.cwd, 'first.txt'), 'utf8')).toBe('f\n');
  await writeFile(join(cont.cwd, 'second.txt'), 's\n');
  const done = await cont.save({ paused: false });
  await cont.release();
  expect(done.from).toBe(start);
  expect(done.files.map((f) => f.path)).toEqual(['first.txt', 'second.txt']);
  const log = await remote.log('paused', 'convo/c6');
  expect(log).toHaveLength(2);
  expect(log[0]).toMatchObject({ sha: done.commit, parents: [start], subject: 'turn 1: edit twice' });
});

test('${VAR} in the URL is expanded from the environment and never shown; credentials never reach the disk', async () => {
  await remote.createRepo('secret', { 'a.txt': 'a\n' });
  const ok = await turn(run('secret', 's1', 0, 'write'), workerA, write({ 'b.txt': 'b\n' }));
  expect(ok.commit).toBeDefined();

  const missingVar = await failureOf(
    openWorkspace({ ...run('secret', 's2', 0, 'x'), env: { PATH: process.env.PATH } }, workerA),
  );
  expect(missingVar).toMatchObject({ type: 'WorkspaceUnavailable', nonRetryable: true });
  expect(missingVar.message).toContain('${GIT_TOKEN}');

  const noRepo = await failureOf(openWorkspace(run('no-such-repo', 's3', 0, 'x'), workerA));
  const wrongToken = await failureOf(
    openWorkspace({ ...run('secret', 's4', 0, 'x'), env: { ...env, GIT_TOKEN: 'wrong-0123456789' } }, workerA),
  );
  for (const failure of [noRepo, wrongToken]) {
    expect(failure).toMatchObject({ type: 'WorkspaceUnavailable', nonRetryable: false });
    expect(failure.message).not.toMatch(/s3cr3t|wrong-0123456789/);
    expect(failure.message).not.toContain('\n');
  }
  expect(noRepo.message).toContain('convo:${GIT_TOKEN}@127.0.0.1');

  // Nothing under the workspaces dir holds the token (config, FETCH_HEAD, reflogs, worktree files).
  const holders = await git(['grep', '--no-index', '-l', '-I', 's3cr3t', '--', '.'], { cwd: workerA.dir }).catch(
    () => '',
  );
  expect(holders).toBe('');
});

test('the redactor of a URL hides expanded values and literal passwords; the cache key ignores credentials', () => {
  const a = expandRepoUrl('https://me:${T}@host.example/r.git', { T: 'abcdef123' });
  expect(a.url).toBe('https://me:abcdef123@host.example/r.git');
  expect(a.redact(`fatal: ${a.url} and abcdef123`)).toBe('fatal: https://me:${T}@host.example/r.git and [redacted]');
  const b = expandRepoUrl('https://me:literalpass@host.example/r.git', {});
  expect(b.shown).toBe('https://me:[redacted]@host.example/r.git');
  expect(b.redact('x literalpass y')).toBe('x [redacted] y');
  expect(a.cacheKey).toBe(b.cacheKey);
  expect(expandRepoUrl('https://host.example/r.git', {}).cacheKey).toBe(a.cacheKey);
});

test('conversation ids that cannot name a directory are refused', async () => {
  for (const id of ['..', '.cache', 'a/b', 'x.lock']) {
    const failure = await failureOf(openWorkspace(run('first', id, 0, 'x'), workerA));
    expect(failure).toMatchObject({ type: 'WorkspaceUnavailable', nonRetryable: true });
  }
});

test('the clone cache is reused (a fetch into the same shallow entry, not a clone) and bounded by bytes, LRU out', async () => {
  const settings: WorkspaceSettings = { dir: join(base, 'worker-lru'), maxBytes: 1024 ** 4 };
  const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `${i}\n`.repeat(2000)]));
  await remote.createRepo('lru-x', big);
  await remote.createRepo('lru-y', big);
  await remote.commit('lru-x', 'main', { 'more.txt': 'more\n' });
  const entryX = cacheEntryPath(settings.dir, expandRepoUrl(repoUrl('lru-x'), env).cacheKey);
  const entryY = cacheEntryPath(settings.dir, expandRepoUrl(repoUrl('lru-y'), env).cacheKey);

  await turn(run('lru-x', 'x1', 0, 'x'), settings, nothing);
  const inode = (await stat(entryX)).ino;
  const stamp = (await stat(join(entryX, STAMP_FILE))).mtimeMs;
  expect((await git(['rev-parse', '--is-shallow-repository'], { cwd: entryX })).trim()).toBe('true');
  expect((await git(['rev-list', '--all', '--count'], { cwd: entryX })).trim()).toBe('1');

  await new Promise((r) => setTimeout(r, 20));
  await turn(run('lru-x', 'x2', 0, 'x'), settings, nothing);
  expect((await stat(entryX)).ino).toBe(inode);
  expect((await stat(join(entryX, STAMP_FILE))).mtimeMs).toBeGreaterThan(stamp);
  expect((await readdir(join(entryX, 'worktrees'))).sort()).toEqual(['x1', 'x2']);

  await new Promise((r) => setTimeout(r, 20));
  await turn(run('lru-y', 'y1', 0, 'y'), settings, nothing);
  const total = await bytesOf(settings.dir);
  const ySize = (await bytesOf(entryY)) + (await bytesOf(join(settings.dir, 'y1')));

  // Over the bound: X (used longest ago) goes with its checkouts; Y, just used, stays.
  const bounded = { ...settings, maxBytes: Math.max(ySize + 4096, total - 1) };
  expect(bounded.maxBytes).toBeLessThan(total);
  await turn(run('lru-y', 'y1', 1, 'y', { head: (await remote.log('lru-y', 'main'))[0]!.sha }), bounded, nothing);
  expect(await exists(entryX)).toBe(false);
  expect(await exists(join(settings.dir, 'x1'))).toBe(false);
  expect(await exists(join(settings.dir, 'x2'))).toBe(false);
  expect(await exists(entryY)).toBe(true);
  expect(await exists(join(settings.dir, 'y1'))).toBe(true);
  expect(await bytesOf(settings.dir)).toBeLessThanOrEqual(bounded.maxBytes);

  // A cold cache again for X: it works.
  const again = await turn(run('lru-x', 'x1', 0, 'x'), settings, write({ 'z.txt': 'z\n' }));
  expect(again.commit).toBeDefined();
});

test('a fork starts its own branch at a commit deep in the source branch; base names where a new branch starts', async () => {
  await remote.createRepo('forks', { 'a.txt': 'a\n' });
  await remote.commit('forks', 'dev', { 'dev.txt': 'dev\n' });
  const opts = { base: 'dev' };
  const t1 = await turn(run('forks', 'src', 0, 'one', undefined, opts), workerA, write({ 'one.txt': '1\n' }));
  expect(t1.from).toBe((await remote.log('forks', 'dev'))[0]!.sha);
  let head = { head: t1.head, headRef: t1.headRef };
  for (const [i, name] of ['two', 'three'].entries()) {
    const t = await turn(run('forks', 'src', i + 1, name, head, opts), workerA, write({ [`${name}.txt`]: name }));
    head = { head: t.head, headRef: t.headRef };
  }

  // Worker B has never seen the repository: the fork's start is two commits below the source branch's tip.
  const fork = await open(run('forks', 'fork', 1, 'fork', { head: t1.head, headRef: 'convo/src' }), workerB);
  expect(await exists(join(fork.cwd, 'one.txt'))).toBe(true);
  expect(await exists(join(fork.cwd, 'dev.txt'))).toBe(true);
  expect(await exists(join(fork.cwd, 'two.txt'))).toBe(false);
  await writeFile(join(fork.cwd, 'forked.txt'), 'f\n');
  const change = await fork.save({ paused: false });
  await fork.release();
  expect(change).toMatchObject({ from: t1.commit, headRef: 'convo/fork' });
  expect((await remote.log('forks', 'convo/fork')).map((c) => c.sha).slice(0, 2)).toEqual([change.commit, t1.commit]);
  expect(await remote.log('forks', 'convo/src')).toHaveLength(5);

  const noBase = await failureOf(openWorkspace(run('forks', 'nb', 0, 'x', undefined, { base: 'nope' }), workerA));
  expect(noBase).toMatchObject({ type: 'WorkspaceUnavailable', nonRetryable: true });
});

test('runs of two conversations of one remote open at once on a worker; a cancelled open leaves the cache usable', async () => {
  await remote.createRepo('busy', { 'a.txt': 'a\n' });
  const settings: WorkspaceSettings = { dir: join(base, 'worker-busy'), maxBytes: 1024 ** 4 };
  const [one, two] = await Promise.all([
    turn(run('busy', 'b1', 0, 'x'), settings, write({ 'b1.txt': '1\n' })),
    turn(run('busy', 'b2', 0, 'x'), settings, write({ 'b2.txt': '2\n' })),
  ]);
  expect(one.files.map((f) => f.path)).toEqual(['b1.txt']);
  expect(two.files.map((f) => f.path)).toEqual(['b2.txt']);

  const stop = new AbortController();
  stop.abort();
  await expect(openWorkspace({ ...run('busy', 'b3', 0, 'x'), signal: stop.signal }, settings)).rejects.toMatchObject({
    name: 'AbortError',
  });
  const after = await turn(run('busy', 'b3', 0, 'x'), settings, write({ 'b3.txt': '3\n' }));
  expect(after.commit).toBeDefined();
});
