/**
 * The encryption codec and its keys from the environment: payloads go out encrypted (compressed first), carry only
 * the key id, refuse tampering and unknown keys with a message naming the key id, and old keys still decrypt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Payload } from '@temporalio/common';
import {
  decodeFromPayloadsAtIndex,
  encodeToPayload,
} from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers.js';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { DecryptionError } from '../../src/codec/encryption.js';
import { loadClientConfig as loadConfig } from '../../src/config/client.js';
import { defaultKeyId } from '../../src/config/codec-keys.js';
import { ConfigError } from '../../src/config/env.js';

const newKey = (): string => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined): string => new TextDecoder().decode(bytes ?? new Uint8Array());

/** The SDK's own encode/decode path (codecs applied in its order) for a process with this environment. */
function converterFor(env: Record<string, string>) {
  return loadDataConverter(createDataConverter(loadConfig({ ...env })));
}
const encode = (env: Record<string, string>, value: unknown) => encodeToPayload(converterFor(env), value);
const decode = (env: Record<string, string>, payload: Payload) =>
  decodeFromPayloadsAtIndex(converterFor(env), 0, [payload]);

const SECRET_PROMPT = 'the launch code is tangerine-42';

test('round trip: small and large values, compressed then encrypted, metadata carries only the key id', async () => {
  const key = newKey();
  const env = { CONVO_ENCRYPTION_KEY: key };
  const small = { prompt: SECRET_PROMPT };
  const large = { transcript: Array.from({ length: 2000 }, (_, i) => `${SECRET_PROMPT} line ${i}`).join('\n') };
  for (const value of [small, large, 'hello', null]) {
    const payload = await encode(env, value);
    expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(text(payload.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(payload.metadata!['encryption-key-id'])).toBe(defaultKeyId(Buffer.from(key, 'base64')));
    expect(Buffer.from(payload.data!).includes(SECRET_PROMPT)).toBe(false);
    expect(Buffer.from(payload.data!).includes(Buffer.from(key, 'base64'))).toBe(false);
    expect(await decode(env, payload)).toEqual(value);
  }
  // Compression ran before encryption: the large value's ciphertext is far smaller than the value.
  const encrypted = await encode(env, large);
  expect(encrypted.data!.length).toBeLessThan(large.transcript.length / 5);
});

test('the key id is CONVO_ENCRYPTION_KEY_ID when given, else 8 hex digits of the key hash, never the key', async () => {
  const key = newKey();
  expect(
    text(
      (await encode({ CONVO_ENCRYPTION_KEY: key, CONVO_ENCRYPTION_KEY_ID: 'prod-2026' }, 'x')).metadata![
        'encryption-key-id'
      ],
    ),
  ).toBe('prod-2026');
  // The rule, computed here rather than by defaultKeyId: the first 8 hex digits of the key's SHA-256.
  const id = createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 8);
  expect(text((await encode({ CONVO_ENCRYPTION_KEY: key }, 'x')).metadata!['encryption-key-id'])).toBe(id);
  expect(defaultKeyId(Buffer.from(key, 'base64'))).toBe(id);
  expect(key).not.toContain(id);
});

test('a tampered payload fails to decode', async () => {
  const env = { CONVO_ENCRYPTION_KEY: newKey() };
  const payload = await encode(env, { prompt: SECRET_PROMPT });
  for (const at of [0, 20, payload.data!.length - 1]) {
    const data = Buffer.from(payload.data!);
    data[at] = data[at]! ^ 1;
    await expect(decode(env, { ...payload, data })).rejects.toThrow(/key id [0-9a-f]{8}: it was altered/);
  }
  await expect(decode(env, { ...payload, data: payload.data!.subarray(0, 10) })).rejects.toThrow(DecryptionError);
});

test('a payload from a key not held fails with a message naming its key id', async () => {
  const payload = await encode({ CONVO_ENCRYPTION_KEY: newKey(), CONVO_ENCRYPTION_KEY_ID: 'team-a-1' }, 'hello');
  await expect(
    decode({ CONVO_ENCRYPTION_KEY: newKey(), CONVO_ENCRYPTION_KEY_ID: 'team-a-2' }, payload),
  ).rejects.toThrow('cannot decrypt a payload encrypted with key id team-a-1: this process holds team-a-2');
  // A process with no key at all says so too, instead of failing on an unknown encoding.
  await expect(decode({}, payload)).rejects.toThrow(/key id team-a-1: this process holds no key/);
});

test('rotation: a key moved to CONVO_DECRYPTION_KEYS still decrypts; new payloads use the new key', async () => {
  const [oldKey, newerKey] = [newKey(), newKey()];
  const before = await encode(
    { CONVO_ENCRYPTION_KEY: oldKey, CONVO_ENCRYPTION_KEY_ID: 'k1' },
    { prompt: SECRET_PROMPT },
  );
  const rotated = {
    CONVO_ENCRYPTION_KEY: newerKey,
    CONVO_ENCRYPTION_KEY_ID: 'k2',
    CONVO_DECRYPTION_KEYS: `k1:${oldKey}`,
  };
  expect(await decode(rotated, before)).toEqual({ prompt: SECRET_PROMPT });
  const after = await encode(rotated, 'new');
  expect(text(after.metadata!['encryption-key-id'])).toBe('k2');
  // Old keys without an id get the derived one; decrypt-only processes (no current key) write plaintext.
  const unnamed = await encode({ CONVO_ENCRYPTION_KEY: oldKey }, 'x');
  const decryptOnly = { CONVO_DECRYPTION_KEYS: ` ${oldKey} , k2:${newerKey}` };
  expect(await decode(decryptOnly, unnamed)).toBe('x');
  expect(await decode(decryptOnly, after)).toBe('new');
  expect(text((await encode(decryptOnly, 'plain')).metadata!.encoding)).toBe('json/plain');
});

test('without any key, payloads are as before: compressed JSON, not encrypted', async () => {
  const small = await encode({}, 'hello');
  expect(text(small.metadata!.encoding)).toBe('json/plain');
  const large = await encode({}, 'x'.repeat(5000));
  expect(text(large.metadata!.encoding)).toBe('binary/gzip');
  expect(await decode({}, large)).toBe('x'.repeat(5000));
});

test('bad keys are refused with a ConfigError naming the variable, never echoing the value', () => {
  const good = newKey();
  const cases: Array<[Record<string, string>, RegExp]> = [
    [
      { CONVO_ENCRYPTION_KEY: 'not-a-key' },
      /^invalid environment variable CONVO_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes/,
    ],
    [
      { CONVO_ENCRYPTION_KEY: randomBytes(16).toString('base64') },
      /CONVO_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes/,
    ],
    [{ CONVO_ENCRYPTION_KEY: randomBytes(33).toString('base64') }, /CONVO_ENCRYPTION_KEY: must be/],
    [
      { CONVO_ENCRYPTION_KEY: good, CONVO_ENCRYPTION_KEY_ID: 'has space' },
      /CONVO_ENCRYPTION_KEY_ID: must be 1-64 letters/,
    ],
    [{ CONVO_ENCRYPTION_KEY_ID: 'k1' }, /CONVO_ENCRYPTION_KEY_ID: set without CONVO_ENCRYPTION_KEY/],
    [
      { CONVO_DECRYPTION_KEYS: `k1:${good},k2:short` },
      /CONVO_DECRYPTION_KEYS: entry 2 \(id k2\): key must be the base64 of exactly 32 bytes/,
    ],
    [{ CONVO_DECRYPTION_KEYS: `bad id:${good}` }, /CONVO_DECRYPTION_KEYS: entry 1: key id must be/],
    [
      { CONVO_ENCRYPTION_KEY: good, CONVO_ENCRYPTION_KEY_ID: 'k1', CONVO_DECRYPTION_KEYS: `k1:${newKey()}` },
      /CONVO_DECRYPTION_KEYS: key id k1 is given twice/,
    ],
  ];
  for (const [env, message] of cases) {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(good);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  }
  // Empty means unset.
  expect(loadConfig({ CONVO_ENCRYPTION_KEY: '', CONVO_DECRYPTION_KEYS: '' }).encryption).toBeUndefined();
});

test('the parsed configuration never prints its keys', () => {
  const key = newKey();
  const old = newKey();
  const config = loadConfig({ CONVO_ENCRYPTION_KEY: key, CONVO_DECRYPTION_KEYS: `old:${old}` });
  expect(config.encryption?.encryptKeyId).toBe(defaultKeyId(Buffer.from(key, 'base64')));
  expect([...config.encryption!.keys.keys()].sort()).toEqual([defaultKeyId(Buffer.from(key, 'base64')), 'old'].sort());
  for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
    for (const secret of [key, old, Buffer.from(key, 'base64').toString('hex')]) expect(shown).not.toContain(secret);
  }
});
