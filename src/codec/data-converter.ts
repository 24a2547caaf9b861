/**
 * The data converter every Convo client and worker uses, and the codecs the codec server runs: JSON payloads,
 * gzip-compressed (`compression.ts`), then encrypted when a key is configured (`encryption.ts`).
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { Config } from '../config.js';
import { CompressionCodec } from './compression.js';
import { EncryptionCodec } from './encryption.js';

/**
 * The payload codecs, in the order the SDK applies them on encode: compression first, then encryption (ciphertext
 * does not compress). The SDK decodes in the opposite order: decrypt, then decompress. The encryption codec is always
 * there: without keys it encrypts nothing and refuses encrypted payloads with an error naming their key id.
 */
export function createPayloadCodecs(config: Pick<Config, 'encryption'>): PayloadCodec[] {
  return [new CompressionCodec(), new EncryptionCodec(config.encryption)];
}

/** The data converter for a client or worker with this configuration (`Client`, `Worker.create`). */
export function createDataConverter(config: Pick<Config, 'encryption'>): DataConverter {
  return { payloadCodecs: createPayloadCodecs(config) };
}
