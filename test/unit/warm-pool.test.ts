/**
 * The warm session pool and its live processes, with a real process standing in for the CLI (a node script that
 * answers each stdin line with two stdout lines, the second its `result`): turns, the bound (least recently used
 * ended first), the idle timeout, dying idle, ending mid-turn, closing, and dirs removed with their processes.
 */
import { mkdtemp, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveProcess } from '../../src/activities/warm/live-process.js';
import { WarmPool, type WarmSessionInit } from '../../src/activities/warm/pool.js';

/** Answers `text` with `{"echo":text}` and `{"type":"result","n":N}`; `hang` makes it answer nothing. */
const SCRIPT = `
let n = 0;
require('readline').createInterface({ input: process.stdin }).on('line', (text) => {
  if (text === 'hang') return;
  console.log(JSON.stringify({ echo: text }));
  console.log(JSON.stringify({ type: 'result', n: ++n, pid: process.pid }));
});`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-warm-pool-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const isEnd = (line: string): boolean => line.includes('"result"');

function start(): LiveProcess {
  return LiveProcess.start(process.execPath, ['-e', SCRIPT], {
    cwd: dir,
    env: { PATH: process.env.PATH },
    killGraceMs: 500,
  });
}

async function session(conversationId: string): Promise<WarmSessionInit> {
  const sessionDir = await mkdtemp(join(dir, `${conversationId}-`));
  await mkdir(join(sessionDir, 'projects'));
  return { conversationId, key: 'k', dir: sessionDir, transcriptPath: join(sessionDir, 't.jsonl'), process: start() };
}

async function turn(p: LiveProcess, text: string, signal = new AbortController().signal): Promise<string[]> {
  const lines: string[] = [];
  const exit = await p.run(`${text}\n`, { onLine: (l) => lines.push(l), isEnd, signal });
  if (exit.exitCode !== 0) throw new Error(`exited ${exit.exitCode} ${exit.signal}`);
  return lines;
}

const exists = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined)) !== undefined;

/** Resolves once `path` is gone (a pool removes a dir once its process has exited); throws after 5 s. */
async function gone(path: string): Promise<boolean> {
  for (let i = 0; i < 100 && (await exists(path)); i++) await new Promise((r) => setTimeout(r, 50));
  return !(await exists(path));
}

test('a live process answers turn after turn, one turn at a time', async () => {
  const p = start();
  expect(await turn(p, 'one')).toEqual(['{"echo":"one"}', `{"type":"result","n":1,"pid":${p.pid}}`]);
  expect(await turn(p, 'two')).toEqual(['{"echo":"two"}', `{"type":"result","n":2,"pid":${p.pid}}`]);
  const hung = p.run('hang\n', { onLine: () => undefined, isEnd, signal: new AbortController().signal });
  expect(() => p.run('more\n', { onLine: () => undefined, isEnd, signal: new AbortController().signal })).toThrow(
    /already runs/,
  );
  await p.end();
  expect(await hung).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  expect(p.alive).toBe(false);
});

test('aborting a turn ends the process; the turn resolves with its exit', async () => {
  const p = start();
  await turn(p, 'one');
  const stop = new AbortController();
  const hung = p.run('hang\n', { onLine: () => undefined, isEnd, signal: stop.signal });
  stop.abort();
  expect(await hung).toMatchObject({ signal: 'SIGTERM' });
  expect((await p.exited).signal).toBe('SIGTERM');
});

test('the pool keeps at most max sessions, ending the least recently used idle one, dir and all', async () => {
  const pool = new WarmPool({ max: 2, idleMs: 60_000, taskQueue: 'q-warm' });
  const [a, b, c] = [await session('a'), await session('b'), await session('c')];
  for (const s of [a, b]) {
    await turn(s.process, 'hi');
    expect(pool.park(s)).toBe(true);
  }
  // a is used again: b is now the least recently used.
  const again = pool.take('a')!;
  expect(again.process).toBe(a.process);
  await turn(again.process, 'again');
  expect(pool.park(again)).toBe(true);
  await turn(c.process, 'hi');
  expect(pool.park(c)).toBe(true);
  expect(pool.size).toBe(2);
  await b.process.exited;
  expect(await gone(b.dir)).toBe(true);
  expect(pool.take('b')).toBeUndefined();
  expect(a.process.alive && c.process.alive).toBe(true);
  await pool.close();
  expect(a.process.alive || c.process.alive).toBe(false);
  expect(await exists(a.dir)).toBe(false);
  expect(await exists(c.dir)).toBe(false);
});

test('a session taken for a turn is not ended for room; a full pool of busy sessions keeps no more', async () => {
  const pool = new WarmPool({ max: 1, idleMs: 60_000, taskQueue: 'q-warm' });
  const a = await session('a');
  expect(pool.park(a)).toBe(true);
  const busy = pool.take('a')!;
  const b = await session('b');
  expect(pool.park(b)).toBe(false);
  expect(busy.process.alive).toBe(true);
  await pool.end(b);
  expect(pool.park(busy)).toBe(true);
  await pool.close();
});

test('an idle session is ended after idleMs; one that dies idle is forgotten; none is kept once closed', async () => {
  const pool = new WarmPool({ max: 4, idleMs: 300, taskQueue: 'q-warm' });
  const a = await session('a');
  const b = await session('b');
  pool.park(a);
  pool.park(b);
  process.kill(b.process.pid!, 'SIGKILL');
  await b.process.exited;
  await a.process.exited;
  expect(await gone(a.dir)).toBe(true);
  expect(await gone(b.dir)).toBe(true);
  expect(pool.size).toBe(0);

  await pool.close();
  const c = await session('c');
  expect(pool.enabled).toBe(false);
  expect(pool.park(c)).toBe(false);
  await pool.end(c);
  expect(await exists(c.dir)).toBe(false);
});

test('CONVO_WARM_MAX=0 keeps nothing', async () => {
  const pool = new WarmPool({ max: 0, idleMs: 1000, taskQueue: 'q-warm' });
  const a = await session('a');
  expect(pool.enabled).toBe(false);
  expect(pool.park(a)).toBe(false);
  await pool.end(a);
});
