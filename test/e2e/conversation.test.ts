/**
 * A conversation is durable across workers: turn 1 on worker A, A stopped, turns 2 and 3 on worker B with another
 * HOME. Real dev server, real workers, real `claude`; only the model is scripted.
 */
import { conversationLength } from '../../src/testing/index.js';
import { TEST_API_KEY, World, type WorkerProcess } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('conversation');
});
afterAll(async () => world?.dispose());

async function expectNoTranscriptLeft(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) expect(await worker.transcriptFiles()).toEqual([]);
}

test('three turns, the second and third on another worker, keep the whole history', async () => {
  const prompts = ['Remember the word tangerine.', 'What is 6 times 7?', 'Which word did I ask you to remember?'];
  const workerA = await world.startWorker('a');
  const cwd = await world.workspace('three-turns');
  const id = await world.client.start({ cwd, title: 'three turns' });

  const first = await world.client.ask(id, prompts[0]!);
  expect(first.reply).toBe(`Received 1 messages. Last user text: "${prompts[0]}"`);
  await expectNoTranscriptLeft([workerA]);
  expect(await workerA.stop()).toBe(0);

  const workerB = await world.startWorker('b');
  expect(workerB.home).not.toBe(workerA.home);
  const second = await world.client.ask(id, prompts[1]!);
  expect(second.reply).toBe(`Received 3 messages. Last user text: "${prompts[1]}"`);
  await expectNoTranscriptLeft([workerA, workerB]);
  const third = await world.client.ask(id, prompts[2]!);
  expect(third.reply).toBe(`Received 5 messages. Last user text: "${prompts[2]}"`);
  await expectNoTranscriptLeft([workerA, workerB]);

  // The model request of turn 3 carried all five earlier messages, in order.
  const turn3 = world.model.mainRequests().at(-1)!;
  expect(conversationLength(turn3.messages)).toBe(5);
  const texts = turn3.messages
    .filter((m) => m.role !== 'system')
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((b) => b.text ?? '').join('\n')));
  expect(texts[0]).toContain(prompts[0]);
  expect(texts[1]).toBe(first.reply);
  expect(texts[2]).toContain(prompts[1]);
  expect(texts[3]).toBe(second.reply);
  expect(texts[4]).toContain(prompts[2]);

  // Turn 1 ran on worker A, turns 2 and 3 on worker B.
  const identities = (await world.turnAttempts(id)).map((a) => a.identity);
  expect(identities).toHaveLength(3);
  expect(identities[0]).toMatch(new RegExp(`^${workerA.pid}@`));
  expect(identities[1]).toMatch(new RegExp(`^${workerB.pid}@`));
  expect(identities[2]).toMatch(new RegExp(`^${workerB.pid}@`));

  // What a user sees.
  const shown = await world.convo(['show', id, '--json']);
  expect(shown.exitCode).toBe(0);
  const state = JSON.parse(shown.stdout);
  expect(state).toMatchObject({
    id,
    status: 'idle',
    sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    turns: [
      { index: 0, prompt: prompts[0], status: 'completed', reply: first.reply },
      { index: 1, prompt: prompts[1], status: 'completed', reply: second.reply },
      { index: 2, prompt: prompts[2], status: 'completed', reply: third.reply },
    ],
  });
  expect(state.transcriptBytes).toBeGreaterThan(0);
  expect(state.turns[2].costUsd).toBeGreaterThan(0);

  // The transcript the workflow holds is the CLI's own, for this session, and carries no secret.
  const transcript = await world.client.transcript(id);
  expect(transcript).toContain(state.sessionId);
  expect(transcript).not.toContain(TEST_API_KEY);
  const history = JSON.stringify(await world.client.client.workflow.getHandle(id).fetchHistory());
  expect(history).not.toContain(TEST_API_KEY);
});
