/**
 * Usage limits, credentials and server errors end to end: real dev server, workers and `claude` in subscription mode
 * (CLAUDE_CODE_OAUTH_TOKEN), the scripted server refusing requests the way Anthropic's API does.
 */
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { ConvoClient } from '../../src/client/client.js';
import type { ConversationState } from '../../src/common/conversation.js';
import type { RecordedRequest } from '../../src/testing/index.js';
import { World, waitUntil } from '../helpers/world.js';

let world: World;
/** A client for conversations run by the API-key worker (its own task queue). */
let apiKeyClient: ConvoClient;
beforeAll(async () => {
  world = await World.create('limits');
  await world.startWorker('subscriber', {
    ANTHROPIC_API_KEY: '',
    CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-limits-test-token-0123456789',
  });
  const apiKeyQueue = `${world.config.taskQueue}-api-key`;
  await world.startWorker('api-key', { CONVO_TASK_QUEUE: apiKeyQueue });
  apiKeyClient = await ConvoClient.connect({ ...world.config, taskQueue: apiKeyQueue });
});
afterAll(async () => {
  await apiKeyClient?.shutdown();
  await world?.dispose();
});

const prompt = (text: string) => (r: RecordedRequest) => r.hasTools && r.lastUserText === text;

/** A 429 as the API sends it to a subscription that is out of its 5-hour window, resetting at `resetsAt` (ms). */
function usageLimitReply(resetsAt: number) {
  return {
    error: {
      status: 429,
      type: 'rate_limit_error',
      message: "This request would exceed your account's rate limit. Please try again later.",
      headers: {
        'anthropic-ratelimit-unified-status': 'rejected',
        'anthropic-ratelimit-unified-reset': String(Math.floor(resetsAt / 1000)),
        'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      },
    },
  };
}

test('a usage limit pauses the conversation until the reset time, then the same turn completes', async () => {
  const id = await world.client.start({ cwd: await world.workspace('limited') });
  await world.client.ask(id, 'turn one');
  // Reset times are announced in whole seconds.
  const resetsAt = Math.ceil((Date.now() + 10_000) / 1000) * 1000;
  world.model.script(usageLimitReply(resetsAt), prompt('turn two'));

  const asked = world.client.ask(id, 'turn two');
  let shown!: ConversationState;
  await waitUntil(async () => {
    shown = JSON.parse((await world.convo(['show', id, '--json'])).stdout) as ConversationState;
    return shown.status === 'rate_limited';
  });
  expect(shown.rateLimitedUntil).toBe(new Date(resetsAt).toISOString());
  expect(shown.rateLimitMessage).toMatch(/^You've hit your 5-hour limit · resets /);
  expect(shown.turns[1]).toMatchObject({ prompt: 'turn two', status: 'queued' });
  // The Web UI's and `convo list --status`'s view: the search attributes carry the status and the reset time, and the
  // sleep is a timer named for it.
  await waitUntil(async () => (await world.client.list({ status: 'rate_limited' })).some((r) => r.id === id), 10_000);
  const [row] = (await world.client.list({ status: 'rate_limited' })).filter((r) => r.id === id);
  expect(row!.rateLimitedUntil).toBe(new Date(resetsAt).toISOString());
  const listed = await world.convo(['list', '--status', 'rate_limited']);
  expect(listed.stdout).toMatch(new RegExp(`${id}\\s+│ rate_limited until \\d\\d:\\d\\d UTC`));
  const history = await world.client.client.workflow.getHandle(id).fetchHistory();
  const timers = history.events!.filter((e) => e.timerStartedEventAttributes);
  const summaries = await Promise.all(
    timers.map((t) =>
      decodeOptionalSinglePayload(world.client.client.options.loadedDataConverter, t.userMetadata?.summary),
    ),
  );
  // The other timers refresh the current details while a turn runs.
  expect(summaries).toContain(`usage limit: until ${new Date(resetsAt).toISOString().slice(11, 16)} UTC`);
  expect(summaries.filter((s) => !String(s).startsWith('refresh current details: turn '))).toHaveLength(1);

  const { reply } = await asked;
  expect(reply).toBe('Received 3 messages. Last user text: "turn two"');
  const requests = world.model.mainRequests().filter((r) => r.lastUserText === 'turn two');
  // Exactly one refused request for the turn, and nothing reached the model before the reset time.
  expect(requests.map((r) => r.answer)).toEqual(['429', 'text']);
  expect(requests[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(resetsAt);
  expect(requests.every((r) => r.auth === 'bearer')).toBe(true);
});

test('one account, one pause: after the first refusal no conversation of the account reaches the model before the reset', async () => {
  const [a, b, c] = await Promise.all(
    ['acct-a', 'acct-b', 'acct-c'].map(async (name) => world.client.start({ cwd: await world.workspace(name) })),
  );
  const resetsAt = Math.ceil((Date.now() + 10_000) / 1000) * 1000;
  world.model.script(usageLimitReply(resetsAt), prompt('a refused'));
  await world.client.send(a!, 'a refused');
  await world.waitForState(a!, (s) => s.status === 'rate_limited');
  // The refusal reaches the other conversations of the account through the account workflow.
  await Promise.all(
    [b!, c!].map((id) => world.waitForState(id, (s) => s.rateLimitedUntil === new Date(resetsAt).toISOString())),
  );

  const replies = await Promise.all([
    world.client.ask(b!, 'b waits'),
    world.client.ask(c!, 'c waits'),
    world.waitForState(a!, (s) => s.turns[0]?.status === 'completed'),
  ]);

  expect(replies[0].reply).toBe('Received 1 messages. Last user text: "b waits"');
  expect(replies[1].reply).toBe('Received 1 messages. Last user text: "c waits"');
  const ours = world.model.mainRequests().filter((r) => ['a refused', 'b waits', 'c waits'].includes(r.lastUserText));
  const refusal = ours.find((r) => r.answer === '429')!;
  const afterRefusal = ours.filter((r) => r.seq > refusal.seq);
  expect(afterRefusal.map((r) => r.lastUserText).sort()).toEqual(['a refused', 'b waits', 'c waits']);
  for (const request of afterRefusal) expect(request.receivedAt.getTime()).toBeGreaterThanOrEqual(resetsAt);
});

test('a 401 reaches the model once, leaves the conversation in needs_attention, and resume runs the turn again', async () => {
  const id = await apiKeyClient.start({ cwd: await world.workspace('unauthorized') });
  world.model.script(
    { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' }, times: Infinity },
    prompt('needs a key'),
  );
  await apiKeyClient.send(id, 'needs a key');
  const waiting = await world.waitForState(id, (s) => s.status === 'needs_attention', { client: apiKeyClient });
  expect(waiting.attention).toEqual({ type: 'Authentication', message: 'Invalid API key · Fix external API key' });
  // Waiting costs nothing: a few seconds later the model has still seen one request for this turn.
  await new Promise((r) => setTimeout(r, 3000));
  expect(world.model.mainRequests().filter((r) => r.lastUserText === 'needs a key')).toHaveLength(1);
  const env = { CONVO_TASK_QUEUE: `${world.config.taskQueue}-api-key` };
  const human = await world.convo(['show', id], undefined, env);
  expect(human.stdout).toContain('needs attention: Authentication: Invalid API key · Fix external API key');
  expect(human.stdout).toContain(`convo resume ${id}`);

  world.model.clearScript(); // the key is fixed
  expect((await world.convo(['resume', id], undefined, env)).exitCode).toBe(0);
  const done = await world.waitForState(id, (s) => s.turns[0]?.status === 'completed', { client: apiKeyClient });
  expect(done.status).toBe('idle');
  expect(done.turns[0]!.reply).toBe('Received 1 messages. Last user text: "needs a key"');
  expect(
    world.model
      .mainRequests()
      .filter((r) => r.lastUserText === 'needs a key')
      .map((r) => r.answer),
  ).toEqual(['401', 'text']);

  const notWaiting = await world.convo(['resume', id], undefined, env);
  expect(notWaiting.exitCode).toBe(1);
  expect(notWaiting.stderr.trim()).toBe(`convo: conversation ${id} does not need attention (status idle)`);
});

test('in subscription mode a 401 is one Convo attempt (the CLI itself re-sends it once after a token refresh)', async () => {
  const id = await world.client.start({ cwd: await world.workspace('expired-token') });
  world.model.script(
    { error: { status: 401, type: 'authentication_error', message: 'OAuth token has expired' }, times: Infinity },
    prompt('needs login'),
  );
  await world.client.send(id, 'needs login');
  await world.waitForState(id, (s) => s.status === 'needs_attention' && s.attention?.type === 'Authentication');
  await new Promise((r) => setTimeout(r, 3000));
  const requests = world.model.mainRequests().filter((r) => r.lastUserText === 'needs login');
  // One CLI run (one session header), one activity attempt, whatever the CLI does inside it.
  expect(new Set(requests.map((r) => r.headers['x-claude-code-session-id'])).size).toBe(1);
  expect(requests.length).toBeLessThanOrEqual(2);
  expect(await world.turnAttempts(id)).toHaveLength(1);
  await world.client.skip(id);
});

test('skip fails the turn that needs attention with its error, and the conversation goes on', async () => {
  const id = await world.client.start({ cwd: await world.workspace('billing') });
  world.model.script(
    { error: { status: 402, type: 'billing_error', message: 'Credit balance is too low' }, times: Infinity },
    prompt('no credit'),
  );
  const asked = world.convo(['ask', '--wait', id, 'no credit']);
  await world.waitForState(id, (s) => s.status === 'needs_attention' && s.attention?.type === 'Billing');
  expect((await world.convo(['skip', id])).exitCode).toBe(0);
  const result = await asked;
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim()).toBe('Billing: Credit balance is too low');
  expect((await world.client.ask(id, 'next')).reply).toBe('Received 1 messages. Last user text: "next"');
});

test('a 529 answered twice, then a success, completes the turn through Temporal retries', async () => {
  const id = await world.client.start({ cwd: await world.workspace('overloaded') });
  world.model.script(
    { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' }, times: 2 },
    prompt('busy'),
  );
  const { reply } = await world.client.ask(id, 'busy');
  expect(reply).toBe('Received 1 messages. Last user text: "busy"');
  expect(
    world.model
      .mainRequests()
      .filter((r) => r.lastUserText === 'busy')
      .map((r) => r.answer),
  ).toEqual(['529', '529', 'text']);
  expect((await world.turnAttempts(id)).map((a) => a.attempt)).toEqual([3]);
});
