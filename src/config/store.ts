/**
 * Where transcripts are stored (the claim check): a directory shared by every worker and by the clients that read
 * transcripts, or an S3-compatible bucket. Read by both the worker and the client configuration.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { dataDir } from '../paths.js';
import { parseEnv } from './env.js';

/** The transcript store variables, for the worker's and client's schemas. */
export const StoreEnv = z.object({
  CONVO_TRANSCRIPT_DIR: z.string().min(1).optional(),
  CONVO_TRANSCRIPT_S3_BUCKET: z.string().min(1).optional(),
  CONVO_TRANSCRIPT_S3_PREFIX: z.string().optional(),
  CONVO_TRANSCRIPT_S3_ENDPOINT: z.string().url().optional(),
  AWS_REGION: z.string().min(1).optional(),
});

/** The transcript store a configuration names. */
export interface StoreConfig {
  /** Directory of the transcript store (`CONVO_TRANSCRIPT_DIR`, default `<data dir>/transcripts`). */
  transcriptDir: string;
  /** When set (`CONVO_TRANSCRIPT_S3_*`), transcripts are stored in this bucket instead of `transcriptDir`. */
  transcriptS3?: { bucket: string; prefix?: string; endpoint?: string; region?: string };
}

/** The store settings of already parsed variables. */
export function storeConfig(e: z.output<typeof StoreEnv>): StoreConfig {
  return {
    transcriptDir: e.CONVO_TRANSCRIPT_DIR ?? join(dataDir, 'transcripts'),
    transcriptS3: e.CONVO_TRANSCRIPT_S3_BUCKET
      ? {
          bucket: e.CONVO_TRANSCRIPT_S3_BUCKET,
          prefix: e.CONVO_TRANSCRIPT_S3_PREFIX,
          endpoint: e.CONVO_TRANSCRIPT_S3_ENDPOINT,
          region: e.AWS_REGION,
        }
      : undefined,
  };
}

/**
 * Reads the transcript store settings alone.
 * @throws ConfigError naming the variable that does not parse.
 */
export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  return storeConfig(parseEnv(StoreEnv, env));
}
