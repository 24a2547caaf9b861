/**
 * A payload codec that encrypts every payload with AES-256-GCM (node:crypto), so that prompts, replies and
 * transcripts are not readable in Temporal's database, its Web UI or anything else that reads history without the key.
 *
 * Encoded payloads carry `encoding: binary/encrypted` and `encryption-key-id: <id>` (the id only, never the key);
 * their data is a 12-byte random IV, then the ciphertext of the original payload (metadata and data, serialised with
 * the Temporal `Payload` protobuf, as in `compression.ts`), then the 16-byte GCM tag. Keys come from the environment
 * (`CONVO_ENCRYPTION_KEY`, `CONVO_ENCRYPTION_KEY_ID`, `CONVO_DECRYPTION_KEYS`; parsed in `src/config/codec-keys.ts`). Old keys
 * only decrypt, which is how keys are rotated.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { EncryptionKeys } from '../config/codec-keys.js';

// @temporalio/proto is CommonJS: its namespace is on the default export under ESM.
const { temporal } = proto;

/** `encoding` of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload that cannot be decrypted: no key with its id is held, or it was altered. The message is one line. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
  constructor(
    message: string,
    /** The payload's `encryption-key-id`, when it has one. */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/**
 * Encrypts payloads with the current key (when there is one) and decrypts those encrypted with any key held.
 * With no keys at all it passes payloads through on encode, and refuses encrypted ones on decode with a
 * {@link DecryptionError} that names the key id (so a process without the key says why it cannot read them).
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: EncryptionKeys | undefined) {}

  /** Id of the key new payloads are encrypted with; undefined when this codec does not encrypt. */
  get encryptKeyId(): string | undefined {
    return this.keys?.encryptKeyId;
  }

  /** Ids of every key held (the current one and the old ones). */
  get keyIds(): string[] {
    return [...(this.keys?.keys.keys() ?? [])];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keys?.encryptKeyId;
    if (keyId === undefined) return payloads;
    const key = this.keys!.keys.get(keyId)!;
    return payloads.map((payload) => ({
      metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(keyId) },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), key),
    }));
  }

  /** @throws DecryptionError for an encrypted payload whose key is not held, or that fails authentication. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!idBytes) throw new DecryptionError(`cannot decrypt a payload: it has no ${KEY_ID_METADATA}`);
      const keyId = decoder.decode(idBytes);
      const key = this.keys?.keys.get(keyId);
      if (!key) {
        const held = this.keyIds.length ? `holds ${this.keyIds.join(', ')}` : 'holds no key';
        throw new DecryptionError(
          `cannot decrypt a payload encrypted with key id ${keyId}: this process ${held} (set CONVO_ENCRYPTION_KEY or add it to CONVO_DECRYPTION_KEYS)`,
          keyId,
        );
      }
      const data = payload.data ?? new Uint8Array();
      let plain: Buffer;
      try {
        plain = decrypt(data, key);
      } catch {
        throw new DecryptionError(
          `cannot decrypt a payload encrypted with key id ${keyId}: it was altered, or encrypted with another key of that id`,
          keyId,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** IV (12 bytes) + AES-256-GCM ciphertext + tag (16 bytes). */
function encrypt(plain: Uint8Array, key: KeyObject): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()]));
}

/** @throws Error when the data is too short or fails GCM authentication. */
function decrypt(data: Uint8Array, key: KeyObject): Buffer {
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
}
