/**
 * The `convo` command as a user runs it: the happy path, and bad input that gets a one-line reason and a non-zero
 * exit without losing anything.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { askUpdate } from '../../src/workflows/messages.js';
import { World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('cli');
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

/** Runs `convo` and expects it to fail with exactly one line on stderr matching `reason`. */
async function expectRefusal(args: string[], reason: RegExp): Promise<void> {
  const result = await world.convo(args);
  expect(result.exitCode).not.toBe(0);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(reason);
}

test('start, ask, send, show, list and close through the command line', async () => {
  const cwd = await world.workspace('cli');
  const started = await world.convo(['start', '--cwd', cwd, '--title', 'from the CLI', '--id', 'cli-happy']);
  expect(started.exitCode).toBe(0);
  expect(started.stdout.trim()).toBe('cli-happy');

  const asked = await world.convo(['ask', 'cli-happy', 'hello', 'there']);
  expect(asked.exitCode).toBe(0);
  expect(asked.stdout.trim()).toBe('Received 1 messages. Last user text: "hello there"');

  const piped = await world.convo(['ask', 'cli-happy', '-'], 'from stdin\n');
  expect(piped.stdout.trim()).toBe('Received 3 messages. Last user text: "from stdin"');

  expect((await world.convo(['send', 'cli-happy', 'queued one'])).exitCode).toBe(0);
  expect((await world.convo(['close', 'cli-happy'])).exitCode).toBe(0);
  await world.client.client.workflow.getHandle('cli-happy').result();

  const shown = JSON.parse((await world.convo(['show', 'cli-happy', '--json'])).stdout);
  expect(shown).toMatchObject({ id: 'cli-happy', status: 'closed', title: 'from the CLI' });
  expect(shown.turns.map((t: { prompt: string; status: string }) => [t.prompt, t.status])).toEqual([
    ['hello there', 'completed'],
    ['from stdin\n', 'completed'],
    ['queued one', 'completed'],
  ]);
  const human = await world.convo(['show', 'cli-happy']);
  expect(human.stdout).toContain('cli-happy  closed');

  const listed = JSON.parse((await world.convo(['list', '--json'])).stdout) as Array<{ id: string; status: string }>;
  expect(listed).toContainEqual(expect.objectContaining({ id: 'cli-happy', status: 'closed', title: 'from the CLI' }));
});

test('ask on an unknown conversation', async () => {
  await expectRefusal(['ask', 'no-such-conversation', 'hi'], /^convo: no conversation with id no-such-conversation$/m);
  await expectRefusal(['show', 'no-such-conversation'], /no conversation with id no-such-conversation/);
});

test('ask with an empty prompt', async () => {
  const id = await world.client.start({ cwd: await world.workspace('empty') });
  await expectRefusal(['ask', id, '   '], /^convo: prompt is empty$/m);
  // Nothing was queued.
  expect((await world.client.state(id)).turns).toEqual([]);
});

test('ask on a closed conversation', async () => {
  const id = await world.client.start({ cwd: await world.workspace('closed') });
  await world.client.close(id);
  await world.client.client.workflow.getHandle(id).result();
  await expectRefusal(['ask', id, 'hi'], new RegExp(`^convo: conversation ${id} is closed$`, 'm'));
  await expectRefusal(['send', id, 'hi'], /is closed/);
});

test('start --details-refresh goes into the workflow input; a value that is not whole seconds is refused', async () => {
  const cwd = await world.workspace('refresh');
  const input = async (id: string) => {
    const history = await world.client.client.workflow.getHandle(id).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    return decodeOptionalSinglePayload<{ detailsRefreshS: number }>(
      world.client.client.options.loadedDataConverter,
      started.input!.payloads![0],
    );
  };
  const given = (await world.convo(['start', '--cwd', cwd, '--details-refresh', '5'])).stdout.trim();
  expect(await input(given)).toMatchObject({ detailsRefreshS: 5 });
  const byDefault = (await world.convo(['start', '--cwd', cwd])).stdout.trim();
  expect(await input(byDefault)).toMatchObject({ detailsRefreshS: 60 });
  for (const bad of ['-1', '1.5', 'soon']) {
    const refused = await world.convo(['start', '--cwd', cwd, '--details-refresh', bad]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/--details-refresh.*not a whole number of seconds/);
  }
});

test('start with a cwd that does not exist', async () => {
  await expectRefusal(
    ['start', '--cwd', '/no/such/dir'],
    /^convo: cwd \/no\/such\/dir does not exist or is not a directory$/m,
  );
});

test('a prompt over the size limit is refused by the client and by the workflow', async () => {
  const id = await world.client.start({ cwd: await world.workspace('big') });
  const big = 'x'.repeat(300 * 1024);
  await expect(world.client.ask(id, big)).rejects.toThrow(/limit is 262144 bytes/);
  // Past the client's check, the workflow's update validator refuses it too, and queues nothing.
  const raw = world.client.client.workflow.getHandle(id).executeUpdate(askUpdate, { args: [big] });
  await expect(raw).rejects.toThrow(WorkflowUpdateFailedError);
  await expect(raw.catch((e: WorkflowUpdateFailedError) => Promise.reject(e.cause as Error))).rejects.toThrow(
    /limit is 262144 bytes/,
  );
  expect((await world.client.state(id)).turns).toEqual([]);
});
