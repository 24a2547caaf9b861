/**
 * The relay between opencode and the model API, in front of the scripted model server: it passes requests and
 * responses through unchanged (SSE streams included) and reports failures with their status, headers and message.
 */
import { startApiRelay, type ApiRelay, type RelayedFailure } from '../../src/activities/backends/opencode/relay.js';
import { ScriptedModelServer } from '../../src/testing/index.js';

let model: ScriptedModelServer;
let relay: ApiRelay;
const failures: RelayedFailure[] = [];
beforeAll(async () => {
  model = await ScriptedModelServer.start();
  relay = await startApiRelay(`${model.url}/v1`, (f) => failures.push(f));
});
afterAll(async () => {
  await relay?.close();
  await model?.close();
});
afterEach(() => model.clearScript());

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-relay-test-key', ...headers },
    body: JSON.stringify(body),
  });
const request = {
  model: 'claude-sonnet-4-5',
  stream: true,
  tools: [{ name: 'bash', input_schema: {} }],
  messages: [{ role: 'user', content: 'hello relay' }],
};

test('its URL keeps the API path, and a streamed reply comes through byte for byte', async () => {
  expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  model.script({ text: 'streamed through' });
  const relayed = await post(relay.url, request);
  expect(relayed.status).toBe(200);
  expect(relayed.headers.get('content-type')).toBe('text/event-stream');
  const relayedText = await relayed.text();
  model.script({ text: 'streamed through' });
  const direct = await (await post(`${model.url}/v1`, request)).text();
  // Same events; only the message ids (numbered per request) differ.
  expect(relayedText.replace(/_scripted_\d+/g, '')).toBe(direct.replace(/_scripted_\d+/g, ''));
  // The request reached the API as sent, credentials included.
  const seen = model.requests.at(-2)!;
  expect(seen).toMatchObject({ path: '/v1/messages', hasTools: true, lastUserText: 'hello relay', auth: 'api-key' });
  expect(failures).toEqual([]);
});

test('a 429 is reported with its headers and the API message, and reaches opencode unchanged', async () => {
  model.script({
    error: { status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '20' } },
  });
  const res = await post(relay.url, request);
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('20');
  expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  expect(failures.at(-1)).toMatchObject({
    status: 429,
    message: 'slow down',
    mainLoop: true,
    unreachable: false,
    headers: expect.objectContaining({ 'retry-after': '20' }),
  });
});

test('a side request without tools (a title) is reported as not the main loop', async () => {
  model.script({ error: { status: 500, message: 'boom' } }, () => true);
  const res = await post(relay.url, { ...request, tools: undefined });
  expect(res.status).toBe(500);
  expect(failures.at(-1)).toMatchObject({ status: 500, message: 'boom', mainLoop: false });
});

test('an API that cannot be reached is a 502 to opencode and an unreachable failure', async () => {
  const seen: RelayedFailure[] = [];
  const dead = await startApiRelay('http://127.0.0.1:9/v1', (f) => seen.push(f));
  try {
    const res = await post(dead.url, request);
    expect(res.status).toBe(502);
    expect(seen).toEqual([
      expect.objectContaining({
        status: 502,
        unreachable: true,
        mainLoop: true,
        message: expect.stringMatching(/ECONNREFUSED/),
      }),
    ]);
  } finally {
    await dead.close();
  }
});
