import { defaultPayloadConverter } from '@temporalio/common';
import { CompressionCodec } from '../../src/codec/compression.js';

const codec = new CompressionCodec();

test('large payloads are stored gzip-compressed and decode to the same payload', async () => {
  const transcript = Array.from({ length: 2000 }, (_, i) =>
    JSON.stringify({ type: 'assistant', i, text: `line ${i} of a log` }),
  ).join('\n');
  const payload = defaultPayloadConverter.toPayload({ transcript });
  const [encoded] = await codec.encode([payload]);
  expect(new TextDecoder().decode(encoded!.metadata!.encoding)).toBe('binary/gzip');
  expect(encoded!.data!.length).toBeLessThan(payload.data!.length / 5);
  expect(Buffer.from(encoded!.data!).includes('line 1999 of a log')).toBe(false);
  const [decoded] = await codec.decode([encoded!]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ transcript });
});

test('small payloads and foreign encodings pass through untouched', async () => {
  const small = defaultPayloadConverter.toPayload('hi');
  expect(await codec.encode([small])).toEqual([small]);
  expect(await codec.decode([small])).toEqual([small]);
});
