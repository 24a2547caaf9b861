// Setup step: MinIO, the real S3-compatible server the S3 transcript store's test runs against.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, onPath, run, tools } from './lib.mjs';

const MINIO_GO = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

/** Builds MinIO with `go install` from the Go module proxy into .tools/bin (a few minutes, once), unless `minio` is on
 * PATH or there already. */
export function installMinio() {
  if (onPath('minio') || existsSync(join(tools, 'bin', 'minio'))) return;
  console.error('setup: building MinIO with go install (once; takes a few minutes)');
  mkdirSync(join(tools, 'bin'), { recursive: true });
  const env = { ...process.env, GOBIN: join(tools, 'bin'), GOFLAGS: '-mod=mod' };
  if (!run('go', ['install', MINIO_GO], { env })) fail('go install of MinIO failed');
}
