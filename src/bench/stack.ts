/**
 * What a benchmark runs on: its own in-memory dev server, one `convo worker` process talking to `model`, and a client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ConvoClient } from '../client/client.js';
import { loadClientConfig, type ClientConfig } from '../config/client.js';
import { projectRoot } from '../paths.js';
import { startDevServer } from '../server/dev-server.js';
import { freePort } from '../server/free-port.js';
import { stopProcess } from '../server/stop-process.js';
import type { ScriptedModelServer } from '../testing/index.js';

/** A running stack; `dispose` stops everything and deletes its files. */
export interface BenchStack {
  dir: string;
  config: ClientConfig;
  client: ConvoClient;
  worker: ResultPromise;
  dispose: () => Promise<void>;
}

/**
 * Starts a dev server, a worker process (its own HOME and TMPDIR) and a client, on task queue `name`.
 * @param workerEnv more variables for the worker (e.g. `CONVO_MAX_CONCURRENT_TURNS`).
 */
export async function startStack(
  name: string,
  model: ScriptedModelServer,
  workerEnv: Record<string, string> = {},
): Promise<BenchStack> {
  const dir = await mkdtemp(join(tmpdir(), `convo-${name}-`));
  const server = await startDevServer({ port: await freePort(), uiPort: false });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    CONVO_TASK_QUEUE: name,
    CONVO_TRANSCRIPT_DIR: join(dir, 'transcripts'),
  };
  const config = loadClientConfig(env);
  const worker = execa('node', [join(projectRoot, 'bin', 'convo.js'), 'worker'], {
    env: {
      ...env,
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-ant-bench-0123456789',
      HOME: dir,
      TMPDIR: dir,
      ...workerEnv,
    },
    reject: false,
  });
  const client = await ConvoClient.connect(config);
  return {
    dir,
    config,
    client,
    worker,
    async dispose() {
      await client.shutdown();
      // The worker lets a running turn finish for up to its 60 s shutdown grace before it exits.
      await stopProcess(worker, { graceMs: 90_000 });
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
