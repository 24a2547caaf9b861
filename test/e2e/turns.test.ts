/**
 * What turns do in the world: a Bash tool call leaves its file in the cwd and its record in the transcript; turns of
 * one conversation run one after another; two conversations on one worker keep separate transcripts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conversationLength, type RecordedRequest } from '../../src/testing/index.js';
import { World, waitUntil } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('turns');
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

const forPrompt = (text: string) => (r: RecordedRequest) => r.hasTools && r.lastUserText.includes(text);

test('a Bash tool_use writes its file in the cwd and the tool call is in the transcript', async () => {
  const cwd = await world.workspace('tool');
  const id = await world.client.start({ cwd, allowedTools: ['Bash'] });
  const command = 'echo "written by a tool" > tool-output.txt';
  world.model.script(
    [
      { text: 'Writing the file.', toolUse: { name: 'Bash', input: { command, description: 'write a file' } } },
      { text: 'The file is written.' },
    ],
    forPrompt('write the file'),
  );

  const { reply } = await world.client.ask(id, 'Please write the file.');

  expect(reply).toBe('The file is written.');
  expect(await readFile(join(cwd, 'tool-output.txt'), 'utf8')).toBe('written by a tool\n');
  const records = (await world.client.transcript(id))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type?: string; message?: { content?: unknown } });
  const blocks = records.flatMap((r) =>
    Array.isArray(r.message?.content) ? (r.message.content as Array<Record<string, unknown>>) : [],
  );
  const call = blocks.find((b) => b.type === 'tool_use');
  expect(call).toMatchObject({ name: 'Bash', input: { command } });
  expect(blocks.find((b) => b.type === 'tool_result')).toMatchObject({ tool_use_id: call!.id });

  // The next turn's request carries the tool call and its result.
  await world.client.ask(id, 'And now?');
  const next = world.model.mainRequests().at(-1)!;
  const sentBlocks = next.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
  expect(sentBlocks).toContainEqual(
    expect.objectContaining({ type: 'tool_use', input: expect.objectContaining({ command }) }),
  );
  expect(sentBlocks).toContainEqual(expect.objectContaining({ type: 'tool_result', tool_use_id: call!.id }));
});

test('two turns sent at once run one after the other', async () => {
  const id = await world.client.start({ cwd: await world.workspace('queued') });
  // The first reply is slow, so the second turn is queued while the first runs.
  world.model.script({ text: 'first answer', delayMs: 1500 }, forPrompt('first question'));
  await world.client.send(id, 'first question');
  await world.client.send(id, 'second question');
  // While the first runs, the second waits.
  await waitUntil(async () => (await world.client.state(id)).turns[0]?.status === 'running', 30_000);
  expect((await world.client.state(id)).turns.map((t) => t.status)).toEqual(['running', 'queued']);

  await waitUntil(async () => (await world.client.state(id)).turns.every((t) => t.status === 'completed'));
  const { turns } = await world.client.state(id);
  expect(turns.map((t) => t.prompt)).toEqual(['first question', 'second question']);
  expect(Date.parse(turns[1]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(turns[0]!.endedAt!));
  // The second turn saw the first one's answer: it ran on the transcript the first one produced.
  expect(turns[1]!.reply).toBe('Received 3 messages. Last user text: "second question"');
  const second = world.model.mainRequests().find((r) => r.lastUserText === 'second question')!;
  expect(JSON.stringify(second.messages)).toContain('first answer');
});

test('two conversations running at once on one worker keep separate transcripts', async () => {
  const [one, two] = await Promise.all([
    world.client.start({ cwd: await world.workspace('same-cwd') }),
    world.client.start({ cwd: await world.workspace('same-cwd') }),
  ]);
  // Hold both first replies until both requests have arrived: the two turns really overlap.
  let release!: () => void;
  const bothArrived = new Promise<void>((resolve) => (release = resolve));
  let arrived = 0;
  const holdUntilBoth = (r: RecordedRequest) => {
    const mine = r.hasTools && /^(apple|banana) one$/.test(r.lastUserText);
    if (mine && ++arrived === 2) release();
    return mine;
  };
  world.model.script(
    [
      { text: 'held', hold: bothArrived },
      { text: 'held', hold: bothArrived },
    ],
    holdUntilBoth,
  );

  await Promise.all([world.client.ask(one, 'apple one'), world.client.ask(two, 'banana one')]);
  const [a, b] = await Promise.all([world.client.ask(one, 'apple two'), world.client.ask(two, 'banana two')]);

  expect(a.reply).toBe('Received 3 messages. Last user text: "apple two"');
  expect(b.reply).toBe('Received 3 messages. Last user text: "banana two"');
  const [ta, tb] = await Promise.all([world.client.transcript(one), world.client.transcript(two)]);
  expect(ta).toContain('apple one');
  expect(ta).not.toContain('banana');
  expect(tb).toContain('banana one');
  expect(tb).not.toContain('apple');
  const appleTwo = world.model.mainRequests().find((r) => r.lastUserText === 'apple two')!;
  expect(conversationLength(appleTwo.messages)).toBe(3);
  expect(JSON.stringify(appleTwo.messages)).not.toContain('banana');
});
