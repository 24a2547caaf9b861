/**
 * The data converter every Convo client and worker uses, and the codecs the codec server runs: JSON payloads,
 * gzip-compressed (`compression.ts`), then encrypted when a key is configured (`encryption.ts`); with a key, failure
 * messages and stack traces are encoded payloads too (`failure-converter.cts`).
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { EncryptionKeys } from '../config/codec-keys.js';
import { moduleExtension } from '../paths.js';
import { CompressionCodec } from './compression.js';
import { EncryptionCodec } from './encryption.js';

/**
 * The payload codecs, in the order the SDK applies them on encode: compression first, then encryption (ciphertext
 * does not compress). The SDK decodes in the opposite order: decrypt, then decompress. The encryption codec is always
 * there: without keys it encrypts nothing and refuses encrypted payloads with an error naming their key id.
 */
export function createPayloadCodecs(config: { encryption?: EncryptionKeys }): PayloadCodec[] {
  return [new CompressionCodec(), new EncryptionCodec(config.encryption)];
}

/** The failure converter that encodes failure messages and stack traces (CommonJS: Temporal `require()`s it). */
export const encodingFailureConverterPath = fileURLToPath(
  new URL(`./failure-converter${moduleExtension === '.ts' ? '.cts' : '.cjs'}`, import.meta.url),
);

/**
 * True when failures are to be encoded: payloads are encrypted (a current key is set), so failure messages, which
 * can quote what the CLI or the API said, are encrypted with them. Decoding needs nothing: every Temporal failure
 * converter reads encoded failures.
 */
export function encodesFailures(config: { encryption?: EncryptionKeys }): boolean {
  return config.encryption?.encryptKeyId !== undefined;
}

/**
 * The data converter for a client with this configuration (`Client`): the payload codecs. It reads encoded failures
 * as every failure converter does; workers add {@link encodingFailureConverterPath} to encode them (`src/worker`).
 */
export function createDataConverter(config: { encryption?: EncryptionKeys }): DataConverter {
  return { payloadCodecs: createPayloadCodecs(config) };
}
