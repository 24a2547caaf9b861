/**
 * The scripted Messages API server speaks the wire format: HEAD /api/hello, JSON and SSE replies, tool_use, errors.
 */
import { ScriptedModelServer } from '../../src/testing/index.js';

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => server?.close());

const post = (body: unknown) =>
  fetch(`${server.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-secret-value' },
    body: JSON.stringify(body),
  });
const tools = [{ name: 'Bash', input_schema: {} }];

test('HEAD /api/hello answers 200', async () => {
  expect((await fetch(`${server.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
});

test('a non-streaming request gets one JSON message echoing the history it received', async () => {
  const res = await post({
    model: 'm',
    tools,
    messages: [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: [{ type: 'text', text: 'two' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>x</system-reminder>' },
          { type: 'text', text: 'three' },
        ],
      },
    ],
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(await res.json()).toMatchObject({
    type: 'message',
    role: 'assistant',
    content: [{ type: 'text', text: 'Received 3 messages. Last user text: "three"' }],
    stop_reason: 'end_turn',
  });
  expect(server.requests.at(-1)).toMatchObject({ auth: 'api-key', headers: { 'x-api-key': '[redacted]' } });
});

test('a streaming request gets SSE events that rebuild the scripted tool_use', async () => {
  server.script({ text: 'running', toolUse: { name: 'Bash', input: { command: 'ls' } } });
  const res = await post({ model: 'm', stream: true, tools, messages: [{ role: 'user', content: 'go' }] });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const events = (await res.text())
    .split('\n\n')
    .filter(Boolean)
    .map((chunk) => JSON.parse(chunk.split('\n')[1]!.slice('data: '.length)) as Record<string, unknown>);
  expect(events.map((e) => e.type)).toEqual([
    'message_start',
    'content_block_start',
    'content_block_delta',
    'content_block_stop',
    'content_block_start',
    'content_block_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
  expect(events[4]).toMatchObject({ content_block: { type: 'tool_use', name: 'Bash' } });
  expect(JSON.parse((events[5] as { delta: { partial_json: string } }).delta.partial_json)).toEqual({ command: 'ls' });
  expect(events[7]).toMatchObject({ delta: { stop_reason: 'tool_use' } });
});

test('scripted errors carry status, body and headers, and can repeat', async () => {
  server.script({
    error: { status: 529, type: 'overloaded_error', message: 'busy', headers: { 'retry-after': '7' } },
    times: 2,
  });
  for (let i = 0; i < 2; i++) {
    const res = await post({ model: 'm', tools, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(529);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } });
  }
  expect((await post({ model: 'm', tools, messages: [{ role: 'user', content: 'x' }] })).status).toBe(200);
});

test('side requests without tools are not consumed by scripts for the main loop', async () => {
  server.script({ text: 'for the main loop' });
  const side = (await (await post({ model: 'haiku', messages: [{ role: 'user', content: 'title?' }] })).json()) as {
    content: Array<{ text: string }>;
  };
  expect(side.content[0]!.text).toBe('Received 1 messages. Last user text: "title?"');
  const main = (await (await post({ model: 'm', tools, messages: [{ role: 'user', content: 'hi' }] })).json()) as {
    content: Array<{ text: string }>;
  };
  expect(main.content[0]!.text).toBe('for the main loop');
});

test("opencode's title request (no tools, a title generator system prompt) gets a short title; the system text is recorded", async () => {
  const res = await post({
    model: 'claude-haiku-4-5-20251001',
    stream: true,
    system: [{ type: 'text', text: 'You are a title generator. You output ONLY a thread title.' }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Generate a title for this conversation:\n' },
          { type: 'text', text: 'fix the flaky login test please' },
        ],
      },
    ],
  });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  expect(await res.text()).toContain('"text":"Title: fix the flaky login test please"');
  expect(server.requests.at(-1)).toMatchObject({
    hasTools: false,
    system: 'You are a title generator. You output ONLY a thread title.',
  });
});

test('a reply scripted as format json is one JSON body even when SSE was asked', async () => {
  server.script({ text: 'plain', format: 'json' });
  const res = await post({ model: 'm', stream: true, tools, messages: [{ role: 'user', content: 'x' }] });
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(await res.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'plain' }] });
});

test('a reply in chunks streams one text_delta per chunk, chunkDelayMs apart, and records when each was sent', async () => {
  server.script({ chunks: ['one ', 'two ', 'three'], chunkDelayMs: 150, thinking: 'think first' });
  const started = Date.now();
  const res = await post({ model: 'm', stream: true, tools, messages: [{ role: 'user', content: 'x' }] });
  const arrivals: Array<{ text: string; at: number }> = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const m of decoder.decode(chunk).matchAll(/"text_delta","text":"([^"]*)"/g))
      arrivals.push({ text: m[1]!, at: Date.now() - started });
  }
  expect(arrivals.map((a) => a.text)).toEqual(['one ', 'two ', 'three']);
  // Each chunk arrived as it was sent, not with the whole reply.
  expect(arrivals[2]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(250);
  const sent = server.requests.at(-1)!.chunksSentAt!.map((d) => d.getTime());
  expect(sent).toHaveLength(3);
  expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(145);
  expect(sent[2]! - sent[1]!).toBeGreaterThanOrEqual(145);
  // Not streamed, the same reply is one message: the thinking block, then the whole text.
  server.script({ chunks: ['a', 'b'], chunkDelayMs: 1000, thinking: 't' });
  const json = await (await post({ model: 'm', tools, messages: [{ role: 'user', content: 'x' }] })).json();
  expect(json).toMatchObject({
    content: [
      { type: 'thinking', thinking: 't' },
      { type: 'text', text: 'ab' },
    ],
  });
});
