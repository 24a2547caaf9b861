/**
 * Bad input and failed turns, end to end: the user sees the CLI's real error and loses nothing.
 */
import { rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('failures');
  await world.startWorker('main');
});
afterAll(async () => world?.dispose());

test('a failed turn prints the CLI error as TYPE: message, and the conversation goes on', async () => {
  const id = await world.client.start({ cwd: await world.workspace('fail-400') });
  const badRequest = { status: 400, type: 'invalid_request_error', message: 'messages: prompt is malformed' };
  world.model.script({ error: badRequest, times: Infinity }, (r) => r.lastUserText === 'break please');

  const failed = await world.convo(['ask', id, 'break please']);
  expect(failed.exitCode).toBe(1);
  expect(failed.stdout).toBe('');
  expect(failed.stderr.trim()).toBe('InvalidRequest: API Error: 400 messages: prompt is malformed');
  // Non-retryable: Temporal ran the turn activity once. (The CLI itself re-sends a 400 a few times within that
  // one run, whatever CLAUDE_CODE_MAX_RETRIES says; see CLI-FACTS in the README.)
  expect((await world.turnAttempts(id)).map((a) => a.attempt)).toEqual([1]);

  const ok = await world.convo(['ask', id, 'and now?']);
  expect(ok.exitCode).toBe(0);
  const state = await world.client.state(id);
  expect(state.turns.map((t) => [t.status, t.error?.type])).toEqual([
    ['failed', 'InvalidRequest'],
    ['completed', undefined],
  ]);
  // The failed turn left nothing in the transcript: the next turn started from an empty history.
  expect(state.turns[1]!.reply).toBe('Received 1 messages. Last user text: "and now?"');
});

test('a cwd removed after start fails the turn with CwdNotFound before running the CLI', async () => {
  const cwd = await world.workspace('vanishing');
  const id = await world.client.start({ cwd });
  await rm(cwd, { recursive: true });
  const before = world.model.requests.length;
  const result = await world.convo(['ask', id, 'hello']);
  expect(result.stderr.trim()).toBe(`CwdNotFound: working directory ${cwd} does not exist on this worker`);
  expect(world.model.requests.length).toBe(before);
});

test('a worker whose claude binary is missing fails the turn with CliNotFound', async () => {
  const broken = await world.startWorker('no-binary', {
    CLAUDE_PATH: '/nonexistent/claude',
    CONVO_TASK_QUEUE: `${world.config.taskQueue}-broken`,
  });
  const { ConvoClient } = await import('../../src/client/client.js');
  const client = await ConvoClient.connect({ ...world.config, taskQueue: `${world.config.taskQueue}-broken` });
  try {
    const id = await client.start({ cwd: await world.workspace('no-binary') });
    await expect(client.ask(id, 'hello')).rejects.toMatchObject({
      name: 'TurnFailedError',
      type: 'CliNotFound',
      message: expect.stringContaining('/nonexistent/claude'),
    });
  } finally {
    await client.shutdown();
    await broken.stop();
  }
});

test('a user logged in with `claude login` stays logged in inside the private config dir', async () => {
  const worker = await world.startWorker('logged-in', {
    ANTHROPIC_API_KEY: '',
    CONVO_TASK_QUEUE: `${world.config.taskQueue}-login`,
  });
  const credentials = join(worker.home, '.claude', '.credentials.json');
  await mkdir(join(worker.home, '.claude'), { recursive: true });
  const login = JSON.stringify({
    claudeAiOauth: {
      accessToken: 'sk-ant-oat01-test-access-token-0123456789',
      refreshToken: 'sk-ant-ort01-test-refresh-token',
      expiresAt: Date.now() + 86_400_000,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
    },
  });
  await writeFile(credentials, login);
  const { ConvoClient } = await import('../../src/client/client.js');
  const client = await ConvoClient.connect({ ...world.config, taskQueue: `${world.config.taskQueue}-login` });
  try {
    const id = await client.start({ cwd: await world.workspace('login') });
    const { reply } = await client.ask(id, 'who am I?');
    expect(reply).toBe('Received 1 messages. Last user text: "who am I?"');
    const request = world.model.mainRequests().find((r) => r.lastUserText === 'who am I?')!;
    expect(request.auth).toBe('bearer');
    expect(request.headers['anthropic-beta']).toContain('oauth');
    // The user's login is still there, and still theirs; no transcript stayed behind.
    expect(await readFile(credentials, 'utf8')).toBe(login);
    expect(await worker.transcriptFiles()).toEqual([]);
    expect(await client.transcript(id)).not.toContain('sk-ant-oat01-test-access-token');
  } finally {
    await client.shutdown();
    await worker.stop();
  }
});
