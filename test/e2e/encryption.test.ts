/**
 * Payload encryption end to end: a worker and a `convo` command with CONVO_ENCRYPTION_KEY run a real turn; the
 * history as the Temporal server stores it holds neither the prompt nor the reply in plaintext (nor gzip-compressed),
 * while `convo show`, the codec server (`convo codec-server`) and the `temporal` CLI through it read them. Without a
 * key the same raw check finds them, so the check can fail.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { join } from 'node:path';
import { findTemporalCli } from '../../src/server/dev-server.js';
import { freePort } from '../../src/server/free-port.js';
import { projectRoot } from '../../src/paths.js';
import { rawHistory, type RawPayload } from '../helpers/history.js';
import { World } from '../helpers/world.js';

const KEY_ID = 'e2e-key-1';
const encryptedEnv = { CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CONVO_ENCRYPTION_KEY_ID: KEY_ID };
let secure: World;
let plain: World;

beforeAll(async () => {
  secure = await World.create('encryption', undefined, encryptedEnv);
  plain = await World.create('plaintext');
  await Promise.all([secure.startWorker('secure'), plain.startWorker('plain')]);
});
afterAll(async () => Promise.all([secure?.dispose(), plain?.dispose()]));

/** Starts a conversation with `convo start` and runs one turn with `convo ask`; the model replies `reply`. */
async function runTurn(world: World, prompt: string, reply: string): Promise<string> {
  const started = await world.convo(['start', '--cwd', await world.workspace(randomUUID())]);
  expect(started.exitCode).toBe(0);
  const id = started.stdout.trim();
  world.model.script({ text: reply }, (r) => r.hasTools && r.lastUserText === prompt);
  const asked = await world.convo(['ask', id, prompt]);
  expect(asked.stderr).toBe('');
  expect(asked.stdout.trim()).toBe(reply);
  return id;
}

/** Payloads in `temporal workflow show --output json` (proto JSON: base64 metadata and data), decoded to text. */
function cliPayloads(stdout: string): Array<{ encoding: string; data: string }> {
  const found: Array<{ encoding: string; data: string }> = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const p = value as { metadata?: { encoding?: unknown }; data?: unknown };
    if (typeof p.metadata?.encoding === 'string' && typeof p.data === 'string') {
      found.push({
        encoding: Buffer.from(p.metadata.encoding, 'base64').toString(),
        data: Buffer.from(p.data, 'base64').toString(),
      });
    }
    // Search attributes and patch markers are never encoded: see rawHistory.
    for (const [key, child] of Object.entries(value)) {
      if (key !== 'searchAttributes' && key !== 'markerRecordedEventAttributes') visit(child);
    }
  };
  visit(JSON.parse(stdout));
  expect(found.length).toBeGreaterThan(3);
  return found;
}

/** Every object in a world's transcript store directory. */
async function storedObjects(world: World): Promise<Array<{ name: string; bytes: Buffer }>> {
  const names = await readdir(world.config.transcriptDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return Promise.all(
    names
      .filter((e) => e.isFile())
      .map(async (e) => ({ name: e.name, bytes: await readFile(join(e.parentPath, e.name)) })),
  );
}

const encodingOf = (p: RawPayload): string => Buffer.from(p.metadata?.encoding ?? []).toString();

test('with a key, history holds no prompt or reply in plaintext; convo show, the codec server and the temporal CLI read them', async () => {
  const prompt = `secret-prompt-${randomUUID()}`;
  const reply = `secret-reply-${randomUUID()}`;
  const id = await runTurn(secure, prompt, reply);

  const raw = await rawHistory(secure, id);
  for (const text of [prompt, reply]) {
    expect(raw.bytes.includes(text)).toBe(false);
    expect(raw.gunzipped.includes(text)).toBe(false);
  }
  // Every payload of the run went through the codecs: encrypted with our key id, none merely compressed.
  const encodings = new Set(raw.payloads.map(encodingOf));
  expect(raw.payloads.length).toBeGreaterThan(3);
  expect([...encodings]).toEqual(['binary/encrypted']);
  expect(new Set(raw.payloads.map((p) => Buffer.from(p.metadata!['encryption-key-id']!).toString()))).toEqual(
    new Set([KEY_ID]),
  );

  // The transcript store (claim checks of the larger transcript parts) holds sealed objects only.
  const stored = await storedObjects(secure);
  expect(stored.length).toBeGreaterThan(0);
  for (const { name, bytes } of stored) {
    expect(name).toMatch(/\.jsonl\.gz\.enc$/);
    expect(bytes.includes(prompt)).toBe(false);
    expect(() => gunzipSync(bytes)).toThrow();
  }
  // The user with the key reads the conversation, transcript included.
  const history = await secure.convo(['history', id]);
  expect(history.stdout).toContain(`user: ${prompt}`);
  expect(history.stdout).toContain(`assistant: ${reply}`);
  const shown = await secure.convo(['show', id]);
  expect(shown.exitCode).toBe(0);
  expect(shown.stdout).toContain(prompt);
  expect(shown.stdout).toContain(reply);
  // Without it, a one-line reason naming the key id.
  const keyless = await secure.convo(['show', id], undefined, {
    CONVO_ENCRYPTION_KEY: '',
    CONVO_ENCRYPTION_KEY_ID: '',
  });
  expect(keyless.exitCode).toBe(1);
  expect(keyless.stderr.trim().split('\n')).toHaveLength(1);
  expect(keyless.stderr).toMatch(new RegExp(`^convo: .*cannot decrypt a payload encrypted with key id ${KEY_ID}`));

  // `convo codec-server` with the key turns the raw payloads back into JSON, for callers with its bearer token.
  const port = await freePort();
  const token = `codec-token-${randomUUID()}`;
  const server = execa('node', [join(projectRoot, 'bin', 'convo.js'), 'codec-server', '--port', String(port)], {
    env: secure.env({ CONVO_CODEC_AUTH_TOKEN: token }),
    extendEnv: false,
    reject: false,
    buffer: false,
  });
  let serverLog = '';
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('codec server at') && resolve());
      void server.then(() => reject(new Error(`convo codec-server exited: ${out}`)));
    });
    const body = {
      payloads: raw.payloads.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    };
    const decode = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await decode({})).status).toBe(401);
    const res = await decode({ Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const decoded = ((await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data?: string }> })
      .payloads;
    expect(decoded).toHaveLength(body.payloads.length);
    const texts = decoded.map((p) => Buffer.from(p.data ?? '', 'base64').toString());
    expect(decoded.every((p) => Buffer.from(p.metadata.encoding!, 'base64').toString() === 'json/plain')).toBe(true);
    texts.forEach((t) => JSON.parse(t));
    expect(texts.join('\n')).toContain(prompt);
    expect(texts.join('\n')).toContain(reply);

    // The temporal CLI decodes the history through it (`--codec-endpoint`); without it, it sees only ciphertext.
    const cli = findTemporalCli()!;
    const common = [
      'workflow',
      'show',
      '--workflow-id',
      id,
      '--address',
      secure.config.temporalAddress,
      '--namespace',
      secure.config.namespace,
      '--output',
      'json',
    ];
    const endpoint = ['--codec-endpoint', `http://127.0.0.1:${port}`];
    const through = await execa(cli, [...common, ...endpoint, '--codec-auth', `Bearer ${token}`], { reject: false });
    expect(through.exitCode).toBe(0);
    // Without the token the codec server refuses it (the CLI retries until its command timeout, then fails).
    const refused = await execa(cli, [...common, ...endpoint, '--command-timeout', '3s'], { reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).not.toContain(prompt);
    // One refusal was the fetch above; the CLI's are the others.
    expect(
      serverLog.match(/codec server: POST \/decode: 401 Authorization: Bearer <token> required\n/g)!.length,
    ).toBeGreaterThan(1);
    expect(serverLog).not.toContain(token);
    const shownThrough = cliPayloads(through.stdout);
    expect(new Set(shownThrough.map((p) => p.encoding))).toEqual(new Set(['json/plain']));
    expect(shownThrough.map((p) => p.data).join('\n')).toContain(prompt);
    const without = await execa(cli, common, { reject: false });
    expect(without.exitCode).toBe(0);
    expect(new Set(cliPayloads(without.stdout).map((p) => p.encoding))).toEqual(new Set(['binary/encrypted']));
    expect(
      cliPayloads(without.stdout)
        .map((p) => p.data)
        .join('\n'),
    ).not.toContain(prompt);
  } finally {
    server.kill('SIGTERM');
    expect((await server).exitCode).toBe(0);
  }
  // The key never reached a log: the worker's output names only its id.
  const workerOutput = secure.workers.map((w) => w.output).join('\n');
  expect(workerOutput).toContain(`payloads encrypted with key id ${KEY_ID}`);
  expect(workerOutput).not.toContain(encryptedEnv.CONVO_ENCRYPTION_KEY);
});

test('without a key the same raw check finds the prompt and reply, the prompt also inside gzip payloads', async () => {
  const prompt = `plain-prompt-${randomUUID()}`;
  const reply = `plain-reply-${randomUUID()}`;
  const id = await runTurn(plain, prompt, reply);
  const raw = await rawHistory(plain, id);
  const all = Buffer.concat([raw.bytes, raw.gunzipped]);
  expect(all.includes(prompt)).toBe(true);
  expect(all.includes(reply)).toBe(true);
  // The transcript (prompt included) travels compressed: found only by gunzipping, as the encrypted test does too.
  expect(raw.payloads.map(encodingOf)).toContain('binary/gzip');
  expect(raw.gunzipped.includes(prompt)).toBe(true);
  expect(raw.payloads.map(encodingOf)).not.toContain('binary/encrypted');
  // The transcript store's objects are plain gzip, where the same check finds the prompt.
  const stored = await storedObjects(plain);
  expect(stored.length).toBeGreaterThan(0);
  expect(stored.every(({ name }) => name.endsWith('.jsonl.gz'))).toBe(true);
  expect(stored.some(({ bytes }) => gunzipSync(bytes).includes(prompt))).toBe(true);
});

/** Fails a turn with `convo ask`: the API answers 400 with `message`; returns the conversation id. */
async function failTurn(world: World, message: string): Promise<string> {
  const id = (await world.convo(['start', '--cwd', await world.workspace(randomUUID())])).stdout.trim();
  const prompt = `break-${randomUUID()}`;
  world.model.script(
    { error: { status: 400, type: 'invalid_request_error', message }, times: Infinity },
    (r) => r.lastUserText === prompt,
  );
  const failed = await world.convo(['ask', id, prompt]);
  expect(failed.exitCode).toBe(1);
  expect(failed.stderr.trim()).toBe(`InvalidRequest: API Error: 400 ${message}`);
  return id;
}

test('with a key, failure messages are encrypted too (Encoded failure in history), and convo still prints them', async () => {
  const secret = `failure-${randomUUID()}`;
  const id = await failTurn(secure, `messages: ${secret}`);
  const raw = await rawHistory(secure, id);
  expect(raw.bytes.includes(secret)).toBe(false);
  expect(raw.gunzipped.includes(secret)).toBe(false);
  expect([...new Set(raw.payloads.map(encodingOf))]).toEqual(['binary/encrypted']);
  const history = await secure.client.client.workflow.getHandle(id).fetchHistory();
  const failed = history.events!.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!
    .failure!;
  expect(failed.message).toBe('Encoded failure');
  expect(failed.encodedAttributes).toBeTruthy();
  // The conversation's state (a query, decoded by convo) names the real error.
  const shown = await secure.convo(['show', id]);
  expect(shown.stdout).toContain(`InvalidRequest: API Error: 400 messages: ${secret}`);

  // Without a key, failure messages stay readable in history: the same check finds the message.
  const plainSecret = `failure-${randomUUID()}`;
  const plainRaw = await rawHistory(plain, await failTurn(plain, `messages: ${plainSecret}`));
  expect(plainRaw.bytes.includes(plainSecret)).toBe(true);
});
