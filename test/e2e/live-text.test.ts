/**
 * Live text end to end: the scripted model streams a reply in chunks seconds apart; the real `claude` (with partial
 * messages) prints each as it comes, the turn activity's heartbeat details carry them through Temporal (encrypted:
 * this world runs with CONVO_ENCRYPTION_KEY), and
 * - `convo watch` and `convo ask` on a pseudo-terminal print the first chunk before the last one is sent;
 * - `client.follow` yields the chunks in order, and a follower on a new connection resumed from the last cursor
 *   yields the rest: no chunk repeated, none lost.
 * Timings (when the server sent each chunk, when a reader saw it) are printed with each test.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { ConvoClient } from '../../src/client/client.js';
import type { FollowEvent, TurnCursor } from '../../src/common/turn-events.js';
import { projectRoot } from '../../src/paths.js';
import type { RecordedRequest } from '../../src/testing/index.js';
import { World, waitUntil } from '../helpers/world.js';

const env = {
  CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONVO_ENCRYPTION_KEY_ID: 'live-1',
  // The default (tests elsewhere beat every second): text then goes out with the lines' own heartbeats.
  CONVO_HEARTBEAT_INTERVAL_S: '5',
};
let world: World;
beforeAll(async () => {
  world = await World.create('live-text', undefined, env);
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

const CHUNK_DELAY_MS = 3000;

/** Scripts a reply in `chunks` (after `thinking`) for `prompt`; returns its request once it arrived. */
function streamReply(prompt: string, chunks: string[], thinking?: string): () => RecordedRequest | undefined {
  world.model.script(
    { chunks, chunkDelayMs: CHUNK_DELAY_MS, thinking },
    (r) => r.hasTools && r.lastUserText === prompt,
  );
  return () => world.model.requests.find((r) => r.hasTools && r.lastUserText === prompt);
}

/**
 * Runs `convo ARGS` on a pseudo-terminal (`script`, as a person's shell would), recording when each piece of output
 * arrived.
 */
function onTerminal(args: string[]) {
  const command = `stty cols 160 rows 40; node ${join(projectRoot, 'bin', 'convo.js')} ${args.join(' ')}`;
  const { CI: _ci, ...shell } = world.env();
  const child = execa('script', ['-qec', command, '/dev/null'], {
    env: { ...shell, TERM: 'xterm' },
    extendEnv: false,
    reject: false,
  });
  const output: Array<{ at: number; text: string }> = [];
  child.stdout.on('data', (d: Buffer) => output.push({ at: Date.now(), text: d.toString() }));
  /** When `text` had appeared in the output (undefined: not yet). */
  const seenAt = (text: string): number | undefined => {
    let all = '';
    for (const piece of output) {
      all += piece.text;
      if (all.includes(text)) return piece.at;
    }
    return undefined;
  };
  return { child, output, seenAt, text: () => output.map((o) => o.text).join('') };
}

const CHUNKS = ['The first chunk arrives. ', 'Then the second one. ', 'And the last one ends it.'];

function report(what: string, sent: Date[], seen: Array<number | undefined>): void {
  const lines = sent.map(
    (s, i) =>
      `  chunk ${i + 1}: sent +${s.getTime() - sent[0]!.getTime()} ms, seen ${seen[i] === undefined ? '—' : `${seen[i] - s.getTime()} ms after`}`,
  );
  console.log(`${what}\n${lines.join('\n')}`);
}

test('convo watch on a terminal prints the first chunk before the last one is sent', async () => {
  const id = await world.client.start({ cwd: await world.workspace('watch') });
  const request = streamReply('stream to watch', CHUNKS, 'Pondering how to answer.');
  await world.client.send(id, 'stream to watch');
  const term = onTerminal(['watch', id, '--until-idle', '--thinking']);

  const result = await term.child;
  expect(result.exitCode).toBe(0);
  const sent = request()!.chunksSentAt!;
  expect(sent).toHaveLength(3);
  const seen = CHUNKS.map((c) => term.seenAt(c.trim()));
  report('convo watch', sent, seen);
  expect(seen[0]).toBeLessThan(sent[2]!.getTime());
  // Printed as it was written, then the turn's end: the whole reply was shown, so it is not printed again.
  const text = term.text().replace(/\r/g, '');
  expect(text).toContain(CHUNKS.join('').trim());
  expect(text).toMatch(/turn 1 replied in \d+s\n/);
  // With --thinking, the thinking first, on a line of its own.
  expect(text).toMatch(/\d\d:\d\d:\d\d {3}~ Pondering how to answer\.\n\d\d:\d\d:\d\d {3}The first chunk arrives\./);
  expect(text.split(CHUNKS[0]!.trim()).length).toBe(2);
});

test('convo ask on a terminal prints the first chunk before the last one is sent, then the reply once', async () => {
  const id = await world.client.start({ cwd: await world.workspace('ask') });
  const request = streamReply('stream to ask', CHUNKS);
  const term = onTerminal(['ask', id, "'stream to ask'"]);

  const result = await term.child;
  expect(result.exitCode).toBe(0);
  const sent = request()!.chunksSentAt!;
  const seen = CHUNKS.map((c) => term.seenAt(c.trim()));
  report('convo ask', sent, seen);
  expect(seen[0]).toBeLessThan(sent[2]!.getTime());
  // The chunks make one line: the reply, printed once (the spinner is never drawn over an open line).
  const text = term.text();
  expect(text).toContain(CHUNKS.join('').trim());
  expect(text.split(CHUNKS[0]!.trim()).length).toBe(2);

  // Piped, ask prints the reply alone, at the end, as before.
  world.model.script({ chunks: ['piped ', 'reply'], chunkDelayMs: 500 });
  const piped = await world.convo(['ask', id, 'again']);
  expect(piped.stdout).toBe('piped reply');
  expect(piped.stderr).toBe('');
});

test('client.follow yields the chunks in order and resumes on a new connection without repeating or losing one', async () => {
  const chunks = ['one, ', 'two, ', 'three, ', 'four.'];
  const id = await world.client.start({ cwd: await world.workspace('follow') });
  const request = streamReply('stream to follow', chunks);
  const seen: Array<{ event: FollowEvent; at: number }> = [];

  // The first follower reads until the first chunk, then disconnects.
  let cursor: TurnCursor | undefined;
  const first = (async () => {
    for await (const event of world.client.follow(id)) {
      seen.push({ event, at: Date.now() });
      cursor = event.cursor;
      if (event.type === 'text') return;
    }
  })();
  await world.client.send(id, 'stream to follow');
  await first;
  expect(seen.map((s) => s.event.type)).toEqual(['turn_started', 'text']);

  // Meanwhile the next chunk is written; a new connection goes on from the last cursor.
  await waitUntil(() => (request()?.chunksSentAt?.length ?? 0) >= 2, 30_000);
  const other = await ConvoClient.connect(world.config);
  try {
    for await (const event of other.follow(id, { after: cursor })) {
      seen.push({ event, at: Date.now() });
      if (event.type === 'turn_completed' || event.type === 'turn_failed') break;
    }
  } finally {
    await other.shutdown();
  }

  const texts = seen.flatMap(({ event }) => (event.type === 'text' ? [event] : []));
  const sent = request()!.chunksSentAt!;
  const live = texts.filter((t) => !t.fromReply);
  report(
    'client.follow',
    sent,
    chunks.map((c) => seen.find((s) => s.event.type === 'text' && !s.event.fromReply && s.event.text === c)?.at),
  );
  // Each chunk once, in order: live as the model wrote it (the last one may come with the reply, when the turn ended
  // before its heartbeat reached the server).
  expect(texts.map((t) => t.text).join('')).toBe(chunks.join(''));
  expect(live.map((t) => t.text)).toEqual(chunks.slice(0, live.length));
  expect(live.length).toBeGreaterThanOrEqual(3);
  expect(seen.map((s) => s.event.type)).not.toContain('gap');
  expect(seen.at(-1)!.event).toMatchObject({ type: 'turn_completed', reply: chunks.join('') });
  // The cursors only move forward: no event given twice.
  const keys = seen.map((s) => JSON.stringify(s.event.cursor));
  expect(new Set(keys).size).toBe(keys.length);
  // Each live chunk reached the follower within about a second and a half of the server sending it.
  for (const [i, chunk] of chunks.entries()) {
    const at = seen.find((s) => s.event.type === 'text' && !s.event.fromReply && s.event.text === chunk)?.at;
    if (at !== undefined) expect(at - sent[i]!.getTime()).toBeLessThan(2_000);
  }
});

test('the heartbeat details carrying the live text are encrypted on the server', async () => {
  const id = await world.client.start({ cwd: await world.workspace('raw') });
  const secretChunk = `chunk-${randomBytes(6).toString('hex')} `;
  const request = streamReply('stream raw', [secretChunk, 'end.']);
  await world.client.send(id, 'stream raw');
  await waitUntil(() => (request()?.chunksSentAt?.length ?? 0) >= 1, 60_000);
  let details: { encoding: string; data: Buffer } | undefined;
  let decoded = false;
  await waitUntil(async () => {
    const description = await world.client.client.workflow.getHandle(id).describe();
    const payload = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    if (!payload) return false;
    details = { encoding: Buffer.from(payload.metadata!.encoding!).toString(), data: Buffer.from(payload.data!) };
    decoded = (await world.client.snapshot(id)).activity?.progress?.text?.includes(secretChunk.trim()) ?? false;
    return decoded;
  }, 30_000);
  expect(details!.encoding).toBe('binary/encrypted');
  expect(details!.data.toString('latin1')).not.toContain(secretChunk.trim());
  await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
});
