/**
 * What a benchmark runs on: its own in-memory dev server, `convo worker` processes talking to `model`, and clients.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ConvoClient } from '../client/client.js';
import { loadClientConfig, type ClientConfig } from '../config/client.js';
import { projectRoot } from '../paths.js';
import { startDevServer, type DevServer } from '../server/dev-server.js';
import { freePort } from '../server/free-port.js';
import { stopProcess } from '../server/stop-process.js';
import type { ScriptedModelServer } from '../testing/index.js';

/** The fake key bench workers hand the CLI (the scripted model server takes any). */
export const BENCH_API_KEY = 'sk-ant-bench-0123456789';

/** A running stack; `dispose` stops everything and deletes its files. */
export interface BenchStack {
  dir: string;
  config: ClientConfig;
  client: ConvoClient;
  worker: ResultPromise;
  dispose: () => Promise<void>;
}

/** A worker process of a {@link BenchServer} and the client of its task queue. */
export interface BenchWorker {
  config: ClientConfig;
  client: ConvoClient;
  worker: ResultPromise;
  /** Its TMPDIR, where its turn dirs are: the server's folder for the first worker, a folder of its own after. */
  tmp: string;
}

/** A dev server that benchmark workers share; `dispose` stops them all and deletes their files. */
export interface BenchServer {
  dir: string;
  server: DevServer;
  /**
   * Starts a `convo worker` process (HOME and TMPDIR: `dir`) on task queue `name` talking to `model`, and a client of
   * that queue; resolves once the worker has said it runs.
   * @param workerEnv more variables for the worker (e.g. `CONVO_MAX_CONCURRENT_TURNS`).
   */
  startWorker(name: string, model: ScriptedModelServer, workerEnv?: Record<string, string>): Promise<BenchWorker>;
  dispose: () => Promise<void>;
}

/** Starts a dev server (no Web UI) for benchmark workers, with a folder of its own named after `name`. */
export async function startBenchServer(name: string): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), `convo-${name}-`));
  const server = await startDevServer({ port: await freePort(), uiPort: false });
  const started: BenchWorker[] = [];
  return {
    dir,
    server,
    async startWorker(queue, model, workerEnv = {}) {
      const env = {
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        CONVO_TASK_QUEUE: queue,
        CONVO_TRANSCRIPT_DIR: join(dir, 'transcripts'),
      };
      const config = loadClientConfig(env);
      // A folder of its own for its turn dirs, so that its CLIs can be told from other workers'.
      const tmp = started.length === 0 ? dir : join(dir, `tmp-${queue}`);
      await mkdir(tmp, { recursive: true });
      const worker = execa('node', [join(projectRoot, 'bin', 'convo.js'), 'worker'], {
        env: {
          ...env,
          ANTHROPIC_BASE_URL: model.url,
          ANTHROPIC_API_KEY: BENCH_API_KEY,
          HOME: dir,
          TMPDIR: tmp,
          ...workerEnv,
        },
        reject: false,
      });
      const client = await ConvoClient.connect(config);
      const bench = { config, client, worker, tmp };
      started.push(bench);
      await ready(worker);
      return bench;
    },
    async dispose() {
      for (const { client, worker } of started) {
        await client.shutdown();
        // The worker lets a running turn finish for up to its 60 s shutdown grace before it exits.
        await stopProcess(worker, { graceMs: 90_000 });
      }
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once `worker` printed its start line (or exited); at most 60 s. */
async function ready(worker: ResultPromise): Promise<void> {
  let output = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 60_000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    worker.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('convo worker:')) done();
    });
    void worker.finally(done);
  });
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
  const server = await startBenchServer(name);
  const { config, client, worker } = await server.startWorker(name, model, workerEnv);
  return { dir: server.dir, config, client, worker, dispose: server.dispose };
}
