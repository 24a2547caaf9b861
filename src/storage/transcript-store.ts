/**
 * Where transcripts too large for workflow history live (the claim-check pattern): content-addressed, gzip-compressed
 * objects, verified by SHA-256 when read back. The default store is a local directory, which works when every worker
 * (and the clients that read transcripts) share that directory.
 *
 * With payload encryption on (`CONVO_ENCRYPTION_KEY`), objects are sealed with the same AES-256-GCM codec as history
 * payloads (key id inside, so rotation works the same): `<sha256>.jsonl.gz.enc` holds a serialised Temporal `Payload`
 * whose encrypted data is the gzip bytes. Objects written without a key (`.jsonl.gz`) stay readable.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import proto from '@temporalio/proto';
import type { EncryptionKeys } from '../config/codec-keys.js';
import { EncryptionCodec } from '../codec/encryption.js';
import type { StoredSegment, TranscriptSegment } from '../common/conversation.js';

const { Payload } = proto.temporal.api.common.v1;
const SEALED_SUFFIX = '.enc';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Thrown when a stored segment is missing or its bytes do not match its SHA-256. */
export class TranscriptIntegrityError extends Error {
  override name = 'TranscriptIntegrityError';
}

/** A place to keep transcript segments outside workflow history. */
export interface TranscriptStore {
  /** Stores `data` for a conversation; returns the segment that refers to it. */
  put(conversationId: string, data: Buffer): Promise<StoredSegment>;
  /**
   * Reads a segment back.
   * @throws TranscriptIntegrityError when it is missing or its SHA-256 differs.
   */
  get(segment: StoredSegment): Promise<Buffer>;
}

/** SHA-256 of `data`, hex. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * How a store turns transcript bytes into an object and back: gzip, then AES-256-GCM sealing when a current key is
 * held (opening works with any key held).
 */
class Packer {
  private readonly codec: EncryptionCodec;
  constructor(keys: EncryptionKeys | undefined) {
    this.codec = new EncryptionCodec(keys);
  }

  /** The object body and its key for `data` of a conversation. */
  async pack(conversationId: string, data: Buffer): Promise<{ key: string; body: Uint8Array; hash: string }> {
    const hash = sha256(data);
    const gz = await gzipAsync(data);
    const key = `${encodeURIComponent(conversationId)}/${hash}.jsonl.gz`;
    if (this.codec.encryptKeyId === undefined) return { key, body: gz, hash };
    const [sealed] = await this.codec.encode([{ metadata: {}, data: new Uint8Array(gz) }]);
    return { key: `${key}${SEALED_SUFFIX}`, body: Payload.encode(sealed!).finish(), hash };
  }

  /**
   * Reads a stored segment's object with `read`, opens and gunzips it and checks its SHA-256.
   * @throws TranscriptIntegrityError naming `where` when the bytes cannot be read, opened or do not match
   *   (a sealed object whose key is not held says so, naming the key id).
   */
  async unpack(segment: StoredSegment, where: string, read: () => Promise<Uint8Array>): Promise<Buffer> {
    let data: Buffer;
    try {
      let body = await read();
      if (segment.key.endsWith(SEALED_SUFFIX)) {
        const [opened] = await this.codec.decode([Payload.decode(body)]);
        body = opened!.data ?? new Uint8Array();
      }
      data = await gunzipAsync(body);
    } catch (err) {
      throw new TranscriptIntegrityError(
        `transcript segment ${segment.key} cannot be read from ${where}: ${(err as Error).message}`,
      );
    }
    const actual = sha256(data);
    if (actual !== segment.sha256) {
      throw new TranscriptIntegrityError(
        `transcript segment ${segment.key} is corrupt: SHA-256 ${actual}, expected ${segment.sha256}`,
      );
    }
    return data;
  }
}

/** A store in a local (or shared network) directory: `<dir>/<conversation id>/<sha256>.jsonl.gz`. */
export class LocalTranscriptStore implements TranscriptStore {
  private readonly packer: Packer;

  /** @param encryption keys to seal new objects with and open sealed ones (see the module's note); none: gzip only. */
  constructor(
    readonly dir: string,
    encryption?: EncryptionKeys,
  ) {
    this.packer = new Packer(encryption);
  }

  async put(conversationId: string, data: Buffer): Promise<StoredSegment> {
    const { key, body, hash } = await this.packer.pack(conversationId, data);
    const path = join(this.dir, key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so that a reader never sees half a file (content addressing makes rewrites harmless).
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
    return { kind: 'stored', key, sha256: hash, bytes: data.length };
  }

  async get(segment: StoredSegment): Promise<Buffer> {
    return this.packer.unpack(segment, this.dir, () => readFile(join(this.dir, segment.key)));
  }
}

/** Where an S3-compatible transcript store is. Credentials come from the AWS SDK's usual chain (environment etc.). */
export interface S3StoreOptions {
  bucket: string;
  /** Key prefix, e.g. `convo/`. */
  prefix?: string;
  /** Endpoint of an S3-compatible service (MinIO, R2, …); path-style addressing is used with it. */
  endpoint?: string;
  region?: string;
}

/** A store in an S3-compatible bucket, for workers that share no disk: `<prefix><conversation id>/<sha256>.jsonl.gz`. */
export class S3TranscriptStore implements TranscriptStore {
  private readonly client: S3Client;
  private readonly packer: Packer;

  /** @param encryption keys to seal new objects with and open sealed ones; none: gzip only. */
  constructor(
    private readonly options: S3StoreOptions,
    encryption?: EncryptionKeys,
  ) {
    this.packer = new Packer(encryption);
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    });
  }

  async put(conversationId: string, data: Buffer): Promise<StoredSegment> {
    const { key, body, hash } = await this.packer.pack(conversationId, data);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.options.prefix ?? ''}${key}`,
        Body: body,
        ContentType: key.endsWith(SEALED_SUFFIX) ? 'application/octet-stream' : 'application/gzip',
      }),
    );
    return { kind: 'stored', key, sha256: hash, bytes: data.length };
  }

  async get(segment: StoredSegment): Promise<Buffer> {
    const { bucket, prefix = '' } = this.options;
    return this.packer.unpack(segment, `s3://${bucket}/${prefix}`, async () => {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${segment.key}` }));
      return object.Body!.transformToByteArray();
    });
  }
}

/**
 * A transcript from its segments, in order: inline parts as they are, stored parts read (and verified) from `store`.
 * @throws TranscriptIntegrityError when a stored segment is missing or fails its SHA-256 check.
 */
export async function readTranscriptSegments(store: TranscriptStore, segments: TranscriptSegment[]): Promise<Buffer> {
  const parts = await Promise.all(
    segments.map(async (s) => (s.kind === 'inline' ? Buffer.from(s.data, 'utf8') : store.get(s))),
  );
  return Buffer.concat(parts);
}

/** The store a configuration names: S3 when a bucket is set, else the directory. */
export function createTranscriptStore(config: {
  transcriptDir: string;
  transcriptS3?: S3StoreOptions;
  encryption?: EncryptionKeys;
}): TranscriptStore {
  return config.transcriptS3
    ? new S3TranscriptStore(config.transcriptS3, config.encryption)
    : new LocalTranscriptStore(config.transcriptDir, config.encryption);
}
