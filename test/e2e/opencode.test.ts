/**
 * opencode conversations end to end: the real dev server, `convo worker` processes, the `convo` command and the real
 * `opencode` binary against the scripted model server (through each turn's relay).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConvoClient } from '../../src/client/client.js';
import type { ConversationState, TranscriptSegment } from '../../src/common/conversation.js';
import { conversationLength, type RecordedRequest } from '../../src/testing/index.js';
import { transcriptQuery } from '../../src/workflows/messages.js';
import { World, waitUntil, type WorkerProcess } from '../helpers/world.js';
import { opencodeProcessesIn } from '../helpers/processes.js';

let world: World;
let main: WorkerProcess;
/** opencode offline: no models.dev fetch (it would fail after a while on every start). */
const OPENCODE_ENV = { OPENCODE_DISABLE_MODELS_FETCH: '1' };
beforeAll(async () => {
  world = await World.create('opencode');
  // A small hung bound, so that a run making no progress is ended within the test.
  main = await world.startWorker('main', { ...OPENCODE_ENV, CONVO_HUNG_AFTER_S: '10' });
});
afterAll(async () => world?.dispose());

const prompt = (text: string) => (r: RecordedRequest) => r.hasTools && r.lastUserText === text;
const requestsFor = (text: string) => world.model.mainRequests().filter((r) => r.lastUserText === text);

async function filesNamed(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name === name).map((e) => join(e.parentPath, e.name));
}

test('a 3-turn opencode conversation: a tool call writes in the cwd, turn 2 runs on another worker, turn 3 carries the history', async () => {
  // Workers of a task queue of their own, so that this conversation runs where the test says.
  const queue = `${world.config.taskQueue}-move`;
  const env = { CONVO_TASK_QUEUE: queue };
  const client = await ConvoClient.connect({ ...world.config, taskQueue: queue });
  const first = await world.startWorker('first', { ...OPENCODE_ENV, ...env });
  try {
    const cwd = await world.workspace('opencode-three-turns');
    const started = await world.convo(
      ['start', '--backend', 'opencode', '--cwd', cwd, '--title', 'three turns'],
      undefined,
      env,
    );
    expect(started.stderr).toBe('');
    const id = started.stdout.trim();
    const command = 'echo "written by opencode" > tool-output.txt';
    world.model.script(
      [
        { text: 'Writing the file.', toolUse: { name: 'bash', input: { command, description: 'write a file' } } },
        { text: 'The file is written.' },
      ],
      prompt('Please write the file.'),
    );

    const one = await world.convo(['ask', id, 'Please write the file.'], undefined, env);
    expect(one.stdout.trim()).toBe('The file is written.');
    expect(await readFile(join(cwd, 'tool-output.txt'), 'utf8')).toBe('written by opencode\n');

    // Turn 2 on another worker: its own HOME and TMPDIR, so its own opencode data dir.
    expect(await first.stop()).toBe(0);
    const second = await world.startWorker('second', { ...OPENCODE_ENV, ...env });
    const two = await client.ask(id, 'turn two');
    // user, assistant (text + tool call), user (tool result), assistant, user
    expect(two.reply).toBe('Received 5 messages. Last user text: "turn two"');
    const three = await client.ask(id, 'turn three');
    expect(three.reply).toBe('Received 7 messages. Last user text: "turn three"');

    const request = requestsFor('turn three')[0]!;
    expect(conversationLength(request.messages)).toBe(7);
    const sent = JSON.stringify(request.messages);
    for (const earlier of ['Please write the file.', 'The file is written.', 'turn two', 'Received 5 messages.'])
      expect(sent).toContain(earlier);
    const blocks = request.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
    const call = blocks.find((b) => b.type === 'tool_use');
    expect(call).toMatchObject({ name: 'bash', input: { command } });
    expect(blocks).toContainEqual(expect.objectContaining({ type: 'tool_result', tool_use_id: call!.id }));

    const attempts = await world.turnAttempts(id, client);
    expect(attempts.map((a) => a.identity.split('@')[0])).toEqual([
      String(first.pid),
      String(second.pid),
      String(second.pid),
    ]);
    const state = await client.state(id);
    expect(state).toMatchObject({ backend: 'opencode', title: 'three turns', status: 'idle' });
    expect(state.turns.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    expect(state.turns[0]!.costUsd).toBeGreaterThan(0);

    // The transcript is opencode's export as JSON Lines, one session; turns 2 and 3 appended to it.
    const segments = await client.client.workflow.getHandle(id).query<TranscriptSegment[]>(transcriptQuery);
    expect(segments).toHaveLength(3);
    const records = (await client.transcript(id))
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            info: { id: string; sessionID?: string; role?: string; directory?: string };
          },
      );
    expect(records[0]).toMatchObject({ type: 'session', info: { directory: cwd } });
    expect(records.slice(1).every((r) => r.type === 'message' && r.info.sessionID === records[0]!.info.id)).toBe(true);
    expect(records.filter((r) => r.info.role === 'user')).toHaveLength(3);
    // `convo history` reads the opencode transcript as a chat, tool call included.
    const history = (await world.convo(['history', id], undefined, env)).stdout.split('\n');
    const order = [
      '── turn 1 ──',
      'user: Please write the file.',
      'assistant: Writing the file.',
      `  → bash(${JSON.stringify({ command, description: 'write a file' })})`,
      'assistant: The file is written.',
      '── turn 3 ──',
      'user: turn three',
    ];
    const positions = order.map((line) => history.indexOf(line));
    expect(positions).not.toContain(-1);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    // Nothing of the conversation stayed on either worker.
    for (const w of [first, second]) {
      expect([...(await filesNamed(w.home, 'opencode.db')), ...(await filesNamed(w.tmp, 'opencode.db'))]).toEqual([]);
    }
    await second.stop();
  } finally {
    await client.shutdown();
  }
});

test('a 401 leaves the conversation in needs_attention with Authentication; resume runs the turn again', async () => {
  const id = await world.client.start({ cwd: await world.workspace('opencode-401'), backend: 'opencode' });
  world.model.script(
    { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' }, times: Infinity },
    prompt('needs a key'),
  );
  await world.client.send(id, 'needs a key');
  const waiting = await world.waitForState(id, (s) => s.status === 'needs_attention');
  expect(waiting.attention).toEqual({ type: 'Authentication', message: 'API Error: 401 invalid x-api-key' });
  await new Promise((r) => setTimeout(r, 2000));
  expect(requestsFor('needs a key')).toHaveLength(1);
  const shown = await world.convo(['show', id]);
  expect(shown.stdout).toContain('needs attention: Authentication: API Error: 401 invalid x-api-key');

  world.model.clearScript();
  expect((await world.convo(['resume', id])).exitCode).toBe(0);
  const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
  expect(done.turns[0]!.reply).toBe('Received 1 messages. Last user text: "needs a key"');
  expect(requestsFor('needs a key').map((r) => r.answer)).toEqual(['401', 'text']);
});

test('a 429 with retry-after is a durable wait until then, and the same turn completes after it', async () => {
  const id = await world.client.start({ cwd: await world.workspace('opencode-429'), backend: 'opencode' });
  await world.client.ask(id, 'before the limit');
  world.model.script(
    {
      error: {
        status: 429,
        type: 'rate_limit_error',
        message: 'Number of request tokens has exceeded your per-minute rate limit',
        headers: { 'retry-after': '12' },
      },
    },
    prompt('limited turn'),
  );

  const asked = world.client.ask(id, 'limited turn');
  let shown!: ConversationState;
  await waitUntil(async () => {
    shown = JSON.parse((await world.convo(['show', id, '--json'])).stdout) as ConversationState;
    return shown.status === 'rate_limited';
  });
  const refused = requestsFor('limited turn')[0]!;
  const until = Date.parse(shown.rateLimitedUntil!);
  // The reset is the refusal time plus retry-after (read on the worker, a moment after the response).
  expect(until - refused.receivedAt.getTime()).toBeGreaterThanOrEqual(12_000);
  expect(until - refused.receivedAt.getTime()).toBeLessThan(17_000);
  expect(shown.rateLimitMessage).toBe(
    'API Error: 429 Number of request tokens has exceeded your per-minute rate limit',
  );
  expect(shown.turns[1]).toMatchObject({ prompt: 'limited turn', status: 'queued' });

  const { reply } = await asked;
  expect(reply).toBe('Received 3 messages. Last user text: "limited turn"');
  const requests = requestsFor('limited turn');
  // One refused request (opencode's own retries were cut off), nothing more before the reset time.
  expect(requests.map((r) => r.answer)).toEqual(['429', 'text']);
  expect(requests[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(until);
});

test('a 5xx is retried by Temporal: two 500s, then a success, complete the turn on the third attempt', async () => {
  const id = await world.client.start({ cwd: await world.workspace('opencode-500'), backend: 'opencode' });
  world.model.script(
    { error: { status: 500, type: 'api_error', message: 'Internal server error' }, times: 2 },
    prompt('busy'),
  );
  const { reply } = await world.client.ask(id, 'busy');
  expect(reply).toBe('Received 1 messages. Last user text: "busy"');
  expect(requestsFor('busy').map((r) => r.answer)).toEqual(['500', '500', 'text']);
  expect((await world.turnAttempts(id)).map((a) => a.attempt)).toEqual([3]);
});

test('a reply that makes opencode loop is ended by the bound: the attempt fails with Hung, the worker goes on', async () => {
  const id = await world.client.start({ cwd: await world.workspace('opencode-loop'), backend: 'opencode' });
  world.model.script({ text: 'not a stream', format: 'json', times: Infinity }, prompt('loop'));
  const asked = world.client.ask(id, 'loop');
  const handle = world.client.client.workflow.getHandle(id);
  let lastFailure:
    { message?: string | null; applicationFailureInfo?: { type?: string | null } | null } | null | undefined;
  await waitUntil(async () => {
    lastFailure = (await handle.describe()).raw.pendingActivities?.[0]?.lastFailure;
    return Boolean(lastFailure);
  }, 60_000);
  expect(lastFailure!.applicationFailureInfo?.type).toBe('Hung');
  expect(lastFailure!.message).toMatch(/^opencode looped: 25 model calls in a row came back empty/);
  // The looping opencode is gone; the retry (5 s later) gets a readable reply and completes the turn.
  expect(await opencodeProcessesIn(main.tmp)).toEqual([]);
  world.model.clearScript();
  expect((await asked).reply).toBe('Received 1 messages. Last user text: "loop"');
  expect((await world.turnAttempts(id)).map((a) => a.attempt)).toEqual([2]);
});
