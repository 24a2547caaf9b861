/**
 * The codec server over real HTTP: payloads made by the clients' and workers' codecs come back as the JSON they hold;
 * a browser's CORS preflight is answered for the allowed origins only; bad requests get 400 with a JSON error.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { encodeToPayload } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { createDataConverter, createPayloadCodecs } from '../../src/codec/data-converter.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { loadClientConfig as loadConfig } from '../../src/config/client.js';
import { loadCodecAuthTokens } from '../../src/config/codec-keys.js';
import { localUiUrl } from '../../src/config/server.js';
import { freePort } from '../../src/server/free-port.js';

const UI = localUiUrl();
const env = { CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CONVO_ENCRYPTION_KEY_ID: 'unit-1' };
let server: CodecServer;

beforeAll(async () => {
  server = await startCodecServer({
    codecs: createPayloadCodecs(loadConfig(env)),
    port: await freePort(),
    corsOrigins: [UI],
  });
});
afterAll(async () => server?.close());

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64');
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data ?? new Uint8Array()),
});
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('POST /decode turns encrypted (and compressed) payloads back into their JSON', async () => {
  const converter = loadDataConverter(createDataConverter(loadConfig(env)));
  const big = { transcript: 'hello, world\n'.repeat(500) };
  const encoded = [await encodeToPayload(converter, 'hello'), await encodeToPayload(converter, big)];
  expect(encoded.map((p) => new TextDecoder().decode(p.metadata!.encoding))).toEqual([
    'binary/encrypted',
    'binary/encrypted',
  ]);

  const res = await post('/decode', { payloads: encoded.map(toJson) }, { Origin: UI });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  const { payloads } = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(payloads[0]).toEqual({ metadata: { encoding: b64('json/plain') }, data: b64('"hello"') });
  expect(Buffer.from(payloads[1]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  expect(JSON.parse(Buffer.from(payloads[1]!.data, 'base64').toString())).toEqual(big);

  // The CLI's endpoint template puts the namespace first: /{namespace}/decode.
  const templated = await post('/default/decode', { payloads: encoded.slice(0, 1).map(toJson) });
  expect(((await templated.json()) as { payloads: unknown[] }).payloads).toEqual([payloads[0]]);
});

test('POST /encode encrypts what the Web UI sends; /decode of that gives it back', async () => {
  const plain = { metadata: { encoding: b64('json/plain') }, data: b64('"a signal from the UI"') };
  const encoded = (await (await post('/encode', { payloads: [plain] })).json()) as {
    payloads: Array<{ metadata: Record<string, string>; data: string }>;
  };
  expect(Buffer.from(encoded.payloads[0]!.metadata['encryption-key-id']!, 'base64').toString()).toBe('unit-1');
  expect(Buffer.from(encoded.payloads[0]!.data, 'base64').includes('a signal from the UI')).toBe(false);
  const decoded = (await (await post('/decode', encoded)).json()) as { payloads: unknown[] };
  expect(decoded.payloads).toEqual([plain]);
});

test('CORS preflight from the Web UI is answered; other origins are refused', async () => {
  const preflight = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      Origin: UI,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
  expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Namespace, Authorization');

  const other = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
  expect(other.status).toBe(403);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  const otherPost = await post('/decode', { payloads: [] }, { Origin: 'http://evil.example' });
  expect(otherPost.status).toBe(403);
});

test('bad requests get 400 with a JSON error and the server keeps serving', async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['/decode', 'garbage', /body is not JSON/],
    ['/decode', { nope: 1 }, /bad body.*nope/],
    ['/decode', { payloads: [{ data: 'not base64!' }] }, /bad body at payloads.0.data: is not base64/],
    [
      '/decode',
      {
        payloads: [
          {
            metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('gone-0') },
            data: b64('x'.repeat(40)),
          },
        ],
      },
      /key id gone-0/,
    ],
  ];
  for (const [path, body, message] of cases) {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  }
  expect((await post('/nowhere', { payloads: [] })).status).toBe(404);
  expect((await fetch(`${server.url}/decode`)).status).toBe(405);
  expect((await post('/decode', { payloads: [] })).status).toBe(200);
  // Proto JSON leaves out an empty list: the temporal CLI sends `{}` for no payloads.
  const empty = await post('/encode', {});
  expect(empty.status).toBe(200);
  expect(await empty.json()).toEqual({ payloads: [] });
});

test('a taken port fails with a message naming the address', async () => {
  const port = Number(new URL(server.url).port);
  await expect(startCodecServer({ codecs: [], port })).rejects.toThrow(
    `codec server cannot listen on 127.0.0.1:${port}: address in use`,
  );
});

test('with auth tokens, only a request carrying one as a Bearer token is decoded; preflights still pass', async () => {
  const tokens = ['first-token-0123456789', 'second-token-0123456789'];
  const guarded = await startCodecServer({
    codecs: createPayloadCodecs(loadConfig(env)),
    port: await freePort(),
    corsOrigins: [UI],
    authTokens: tokens,
  });
  try {
    const body = JSON.stringify({ payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] });
    const call = (headers: Record<string, string>) =>
      fetch(`${guarded.url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      });
    const missing = await call({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({ error: 'Authorization: Bearer <token> required' });
    for (const wrong of ['Bearer first-token-012345678', 'Bearer nope', `Basic ${tokens[0]}`, tokens[0]!]) {
      expect([(await call({ Authorization: wrong })).status, wrong]).toEqual([401, wrong]);
    }
    for (const token of tokens) expect((await call({ Authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await call({ Authorization: `bearer ${tokens[1]}` })).status).toBe(200);
    const preflight = await fetch(`${guarded.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  } finally {
    await guarded.close();
  }
});

test('CONVO_CODEC_AUTH_TOKEN: comma-separated tokens; a short one is refused naming the variable, never the value', () => {
  expect(loadCodecAuthTokens({})).toBeUndefined();
  expect(loadCodecAuthTokens({ CONVO_CODEC_AUTH_TOKEN: '' })).toBeUndefined();
  expect(loadCodecAuthTokens({ CONVO_CODEC_AUTH_TOKEN: ' aaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbbbbbb ' })).toEqual([
    'aaaaaaaaaaaaaaaa',
    'bbbbbbbbbbbbbbbbbbbb',
  ]);
  expect(() => loadCodecAuthTokens({ CONVO_CODEC_AUTH_TOKEN: 'short-secret' })).toThrow(
    /CONVO_CODEC_AUTH_TOKEN.*at least 16/,
  );
  expect(() => loadCodecAuthTokens({ CONVO_CODEC_AUTH_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
});
