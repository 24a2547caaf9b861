/**
 * A payload codec that gzip-compresses every payload above a small size, so that workflow history, memos and
 * continue-as-new inputs are stored compressed. Transcripts are JSONL and compress 5-10x.
 *
 * Encoded payloads carry `encoding: binary/gzip`; the original payload (metadata and data) is inside, serialised with
 * the Temporal `Payload` protobuf. Codecs run outside the workflow sandbox, so Node's zlib is fine here.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespace is on the default export under ESM.
const { temporal } = proto;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const ENCODING = 'binary/gzip';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Compresses payloads larger than `minBytes` (default 256 bytes); smaller ones stay as they are. */
export class CompressionCodec implements PayloadCodec {
  constructor(private readonly minBytes = 256) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if ((payload.data?.length ?? 0) < this.minBytes) return payload;
        const raw = temporal.api.common.v1.Payload.encode(payload).finish();
        const compressed = await gzipAsync(raw, { level: 6 });
        if (compressed.length >= raw.length) return payload;
        return { metadata: { encoding: encoder.encode(ENCODING) }, data: new Uint8Array(compressed) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || decoder.decode(encoding) !== ENCODING || !payload.data) return payload;
        const raw = await gunzipAsync(payload.data);
        return temporal.api.common.v1.Payload.decode(raw);
      }),
    );
  }
}
