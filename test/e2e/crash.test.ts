/**
 * Nothing is lost when machines die: a worker SIGKILLed in the middle of a turn, and the Temporal dev server killed
 * and restarted (on its database file) during a usage-limit sleep.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../src/server/dev-server.js';
import { freePort } from '../../src/server/free-port.js';
import { removeDir, stopProcess } from '../helpers/cleanup.js';
import { World } from '../helpers/world.js';

/** The user messages of a transcript whose text is exactly `text`. */
function userMessages(transcript: string, text: string): number {
  return transcript
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type?: string; message?: { content?: unknown } })
    .filter((r) => r.type === 'user')
    .filter((r) => {
      const c = r.message?.content;
      const texts = typeof c === 'string' ? [c] : Array.isArray(c) ? c.map((b: { text?: string }) => b.text ?? '') : [];
      return texts.some((t) => t.trim() === text);
    }).length;
}

describe('a worker killed mid-turn', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create('crash');
  });
  afterAll(async () => world?.dispose());

  test('the turn finishes on another worker from the pre-turn transcript, with the prompt once', async () => {
    const a = await world.startWorker('a');
    const id = await world.client.start({ cwd: await world.workspace('crash') });
    await world.client.ask(id, 'turn one');

    const { arrived: requestArrived, release } = world.holdReply('turn two', {
      text: 'answer that never reaches worker A',
    });
    try {
      const asked = world.client.ask(id, 'turn two');
      await requestArrived;
      const killedAt = Date.now();
      expect(await a.stop('SIGKILL')).toBeNull();
      const b = await world.startWorker('b');

      const { reply } = await asked;
      console.log(
        `turn finished on worker B ${((Date.now() - killedAt) / 1000).toFixed(1)} s after worker A was killed`,
      );
      expect(reply).toBe('Received 3 messages. Last user text: "turn two"');
      const attempts = await world.turnAttempts(id);
      expect(attempts.at(-1)).toMatchObject({ attempt: 2, identity: expect.stringMatching(new RegExp(`^${b.pid}@`)) });
      const transcript = await world.client.transcript(id);
      expect(userMessages(transcript, 'turn two')).toBe(1);
      expect(userMessages(transcript, 'turn one')).toBe(1);
      expect(transcript.split(JSON.stringify(reply).slice(1, -1)).length - 1).toBe(1);
      expect(transcript).not.toContain('answer that never reaches worker A');

      // Worker A left its turn dir (with a transcript copy) and its CLI behind; the next worker on its machine
      // removes both.
      expect((await a.transcriptFiles()).length).toBeGreaterThan(0);
      await world.startWorker('a-restarted', { HOME: a.home, TMPDIR: a.tmp });
      expect(await a.transcriptFiles()).toEqual([]);
    } finally {
      release();
    }
  });
});

describe('the dev server killed during a usage-limit sleep', () => {
  let dir: string;
  let server: DevServer;
  let world: World;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convo-restart-'));
    port = await freePort();
    server = await startDevServer({ port, uiPort: false, dbFile: join(dir, 'temporal.db') });
    world = await World.create('restart', server.address);
    await world.startWorker('subscriber', {
      ANTHROPIC_API_KEY: '',
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-restart-test-token-0123456789',
    });
  });
  afterAll(async () => {
    await world?.dispose();
    await server?.stop();
    await removeDir(dir);
  });

  test('the conversation wakes at the reset time after the restart', async () => {
    const id = await world.client.start({ cwd: await world.workspace('restart') });
    const resetsAt = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
    world.model.script(
      {
        error: {
          status: 429,
          type: 'rate_limit_error',
          message: 'rate limited',
          headers: {
            'anthropic-ratelimit-unified-status': 'rejected',
            'anthropic-ratelimit-unified-reset': String(resetsAt / 1000),
          },
        },
      },
      (r) => r.hasTools && r.lastUserText === 'after the reset',
    );
    await world.client.send(id, 'after the reset');
    await world.waitForState(id, (s) => s.status === 'rate_limited');

    await stopProcess(server.process, { signal: 'SIGKILL' });
    await new Promise((r) => setTimeout(r, 2000));
    server = await startDevServer({ port, uiPort: false, dbFile: join(dir, 'temporal.db') });

    const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
    expect(done.turns[0]!.reply).toBe('Received 1 messages. Last user text: "after the reset"');
    const requests = world.model.mainRequests().filter((r) => r.lastUserText === 'after the reset');
    expect(requests.map((r) => r.answer)).toEqual(['429', 'text']);
    expect(requests[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(resetsAt);
  });
});
