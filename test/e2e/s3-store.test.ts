/**
 * The S3-compatible transcript store against a real MinIO server (built from the Go module proxy into .tools/bin by
 * `npm run setup`): workers that share no disk carry a conversation through the bucket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { ConvoClient } from '../../src/client/client.js';
import { resolveBinary } from '../../src/config/env.js';
import { toolsDir } from '../../src/paths.js';
import { freePort } from '../../src/server/free-port.js';
import { removeDir, stopProcess } from '../helpers/cleanup.js';
import { World } from '../helpers/world.js';

const credentials = {
  AWS_ACCESS_KEY_ID: 'convo-test',
  AWS_SECRET_ACCESS_KEY: 'convo-test-secret',
  AWS_REGION: 'us-east-1',
};
let minio: ChildProcess;
let dataDir: string;
let endpoint: string;
let world: World;
let client: ConvoClient;
const bucket = 'convo-transcripts';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'convo-minio-'));
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  const binary = resolveBinary('minio') === 'minio' ? join(toolsDir, 'bin', 'minio') : resolveBinary('minio');
  // `npm run demo` does not build it; `npm test` (and `npm run setup`) does.
  if (!existsSync(binary))
    throw new Error('no minio on PATH nor in .tools/bin: run `npm run setup` (go install, once)');
  minio = spawn(
    binary,
    ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${await freePort()}`],
    {
      env: {
        ...process.env,
        MINIO_ROOT_USER: credentials.AWS_ACCESS_KEY_ID,
        MINIO_ROOT_PASSWORD: credentials.AWS_SECRET_ACCESS_KEY,
      },
      stdio: 'ignore',
    },
  );
  for (let i = 0; ; i++) {
    const live = await fetch(`${endpoint}/minio/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    if (i > 150) throw new Error('MinIO did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  Object.assign(process.env, credentials);
  await new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' }).send(
    new CreateBucketCommand({ Bucket: bucket }),
  );
  world = await World.create('s3');
  client = await ConvoClient.connect({ ...world.config, transcriptS3: { bucket, endpoint, prefix: 'convo/' } });
});
afterAll(async () => {
  await client?.shutdown();
  await world?.dispose();
  // MinIO writes into dataDir until it exits (issue 15: removing it at once failed with ENOTEMPTY).
  if (minio) await stopProcess(minio);
  await removeDir(dataDir);
});

test('stored segments live in the bucket, move between workers that share no disk, and are verified', async () => {
  const s3Env = {
    ...credentials,
    CONVO_TRANSCRIPT_S3_BUCKET: bucket,
    CONVO_TRANSCRIPT_S3_ENDPOINT: endpoint,
    CONVO_TRANSCRIPT_S3_PREFIX: 'convo/',
    CONVO_INLINE_SEGMENT_MAX_BYTES: '1024',
    CONVO_INLINE_TOTAL_MAX_BYTES: '4096',
  };
  const a = await world.startWorker('a', { ...s3Env, CONVO_TRANSCRIPT_DIR: join(world.baseDir, 'a-only') });
  const id = await client.start({ cwd: await world.workspace('s3') });
  const big = 'a stack trace line at module.function (file.ts:12:34) '.repeat(300);
  world.model.script({ text: big });
  await client.ask(id, 'one');
  await a.stop();
  await world.startWorker('b', { ...s3Env, CONVO_TRANSCRIPT_DIR: join(world.baseDir, 'b-only') });
  expect((await client.ask(id, 'two')).reply).toBe('Received 3 messages. Last user text: "two"');

  const s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: `convo/${encodeURIComponent(id)}/` }),
  );
  expect(listed.Contents?.length).toBeGreaterThanOrEqual(2);
  expect(await client.transcript(id)).toContain(big);

  for (const object of listed.Contents ?? []) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.Key!, Body: gzipSync('{"tampered":true}\n') }));
  }
  await expect(client.ask(id, 'three')).rejects.toMatchObject({
    type: 'TranscriptInvalid',
    message: expect.stringMatching(/SHA-256/),
  });
});
