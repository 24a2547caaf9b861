/**
 * Where transcripts too large for workflow history live (the claim-check pattern): content-addressed, gzip-compressed
 * objects, verified by SHA-256 when read back. The default store is a local directory, which works when every worker
 * (and the clients that read transcripts) share that directory.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { StoredSegment } from '../common/conversation.js';

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
 * Reads a stored segment's gzip bytes with `read`, gunzips them and checks their SHA-256.
 * @throws TranscriptIntegrityError naming `where` when the bytes cannot be read or do not match.
 */
async function unpack(segment: StoredSegment, where: string, read: () => Promise<Uint8Array>): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await gunzipAsync(await read());
  } catch (err) {
    throw new TranscriptIntegrityError(`transcript segment ${segment.key} cannot be read from ${where}: ${(err as Error).message}`);
  }
  const actual = sha256(data);
  if (actual !== segment.sha256) {
    throw new TranscriptIntegrityError(`transcript segment ${segment.key} is corrupt: SHA-256 ${actual}, expected ${segment.sha256}`);
  }
  return data;
}

/** A store in a local (or shared network) directory: `<dir>/<conversation id>/<sha256>.jsonl.gz`. */
export class LocalTranscriptStore implements TranscriptStore {
  constructor(readonly dir: string) {}

  async put(conversationId: string, data: Buffer): Promise<StoredSegment> {
    const hash = sha256(data);
    const key = `${encodeURIComponent(conversationId)}/${hash}.jsonl.gz`;
    const path = join(this.dir, key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so that a reader never sees half a file (content addressing makes rewrites harmless).
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, await gzipAsync(data));
    await rename(tmp, path);
    return { kind: 'stored', key, sha256: hash, bytes: data.length };
  }

  async get(segment: StoredSegment): Promise<Buffer> {
    return unpack(segment, this.dir, () => readFile(join(this.dir, segment.key)));
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

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    });
  }

  async put(conversationId: string, data: Buffer): Promise<StoredSegment> {
    const hash = sha256(data);
    const key = `${encodeURIComponent(conversationId)}/${hash}.jsonl.gz`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.options.prefix ?? ''}${key}`,
        Body: await gzipAsync(data),
        ContentType: 'application/gzip',
      }),
    );
    return { kind: 'stored', key, sha256: hash, bytes: data.length };
  }

  async get(segment: StoredSegment): Promise<Buffer> {
    const { bucket, prefix = '' } = this.options;
    return unpack(segment, `s3://${bucket}/${prefix}`, async () => {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${segment.key}` }));
      return object.Body!.transformToByteArray();
    });
  }
}

/** The store a configuration names: S3 when a bucket is set, else the directory. */
export function createTranscriptStore(config: { transcriptDir: string; transcriptS3?: S3StoreOptions }): TranscriptStore {
  return config.transcriptS3 ? new S3TranscriptStore(config.transcriptS3) : new LocalTranscriptStore(config.transcriptDir);
}
