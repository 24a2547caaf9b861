/**
 * The world an end-to-end test runs in, built once per file: the scripted model server, a task queue of its own,
 * real worker processes (`convo worker`, each with its own HOME and TMPDIR) and a client. Only the model server is
 * scripted; Temporal, the workers, the `claude` binary and the `convo` command are the real ones.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { ConvoClient } from '../../src/client/client.js';
import { loadClientConfig, type ClientConfig } from '../../src/config/client.js';
import { projectRoot } from '../../src/paths.js';
import type { ConversationState } from '../../src/common/conversation.js';
import { ScriptedModelServer, type ScriptedReply } from '../../src/testing/index.js';
import { removeDir, stopProcess } from './cleanup.js';
import { waitUntil } from './wait.js';

/** Re-exported for the tests that import it from here. */
export { waitUntil };

const CONVO_BIN = join(projectRoot, 'bin', 'convo.js');
/** The fake API key the workers hand to the CLI; tests check it never reaches what Convo stores. */
export const TEST_API_KEY = 'sk-ant-test-convo-0123456789abcdef';

/** A `convo worker` process. */
export class WorkerProcess {
  output = '';
  constructor(
    readonly name: string,
    readonly home: string,
    readonly tmp: string,
    readonly child: ResultPromise,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Sends `signal`, SIGKILL if the worker has not exited `graceMs` later (default 90 s: past the worker's own 60 s
   * shutdown grace for a running turn), and waits for the exit; resolves to the exit code (null when killed by a
   * signal).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 90_000): Promise<number | null> {
    await stopProcess(this.child, { signal, graceMs });
    const result = await this.child;
    return result.exitCode ?? null;
  }

  /** Every `.jsonl` file under this worker's HOME and TMPDIR (where Claude Code could leave transcripts). */
  async transcriptFiles(): Promise<string[]> {
    return [...(await findFiles(this.home, '.jsonl')), ...(await findFiles(this.tmp, '.jsonl'))];
  }
}

/** One test file's world. */
export class World {
  readonly workers: WorkerProcess[] = [];

  private constructor(
    readonly model: ScriptedModelServer,
    readonly baseDir: string,
    readonly config: ClientConfig,
    readonly client: ConvoClient,
    /** Environment every worker and `convo` process of this world gets (and the world's client is configured from). */
    readonly worldEnv: Record<string, string> = {},
  ) {}

  /**
   * @param temporalAddress a Temporal server of the test's own; default the suite's (TEMPORAL_ADDRESS).
   * @param env variables for the world's client, workers and `convo` commands (e.g. `CONVO_ENCRYPTION_KEY`).
   */
  static async create(name: string, temporalAddress?: string, env: Record<string, string> = {}): Promise<World> {
    const model = await ScriptedModelServer.start();
    const baseDir = await mkdtemp(join(tmpdir(), `convo-${name}-`));
    // A task queue and an account of its own, so that test files never share workers or usage limits.
    const suffix = `${name}-${randomUUID().slice(0, 8)}`;
    const config = loadClientConfig({
      ...process.env,
      CONVO_TASK_QUEUE: `test-${suffix}`,
      CONVO_ACCOUNT: `test-${suffix}`,
      CONVO_TRANSCRIPT_DIR: join(baseDir, 'transcripts'),
      ...(temporalAddress ? { TEMPORAL_ADDRESS: temporalAddress } : {}),
      ...env,
    });
    const client = await ConvoClient.connect(config);
    return new World(model, baseDir, config, client, env);
  }

  /** The environment worker and `convo` processes run with; a variable `extra` sets to undefined is left out. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !['CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'].includes(k))
        env[k] = v;
    }
    const merged: Record<string, string | undefined> = {
      ...env,
      TEMPORAL_ADDRESS: this.config.temporalAddress,
      CONVO_TASK_QUEUE: this.config.taskQueue,
      CONVO_ACCOUNT: this.config.account,
      CONVO_TRANSCRIPT_DIR: this.config.transcriptDir,
      ANTHROPIC_BASE_URL: this.model.url,
      ANTHROPIC_API_KEY: TEST_API_KEY,
      CONVO_HEARTBEAT_INTERVAL_S: '1',
      // Warm sessions off unless a test turns them on (test/e2e/warm.test.ts): the other tests check that no CLI and
      // no transcript stays on a worker after a turn, which is just what a warm session keeps.
      CONVO_WARM_MAX: '0',
      ...this.worldEnv,
      ...extra,
    };
    return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /** Starts `convo worker` with its own HOME and TMPDIR; resolves once it polls its task queue. */
  async startWorker(name: string, extraEnv: Record<string, string | undefined> = {}): Promise<WorkerProcess> {
    const home = join(this.baseDir, name, 'home');
    const tmp = join(this.baseDir, name, 'tmp');
    await mkdir(home, { recursive: true });
    await mkdir(tmp, { recursive: true });
    const child = execa('node', [CONVO_BIN, 'worker'], {
      env: this.env({ HOME: home, TMPDIR: tmp, ...extraEnv }),
      extendEnv: false,
      reject: false,
      buffer: false,
    });
    const worker = new WorkerProcess(name, home, tmp, child);
    this.workers.push(worker);
    const started = () => worker.output.includes('convo worker:') || child.exitCode !== null;
    await waitUntil(started, { timeoutMs: 60_000, intervalMs: 100 }).catch(() => undefined);
    if (!worker.output.includes('convo worker:')) throw new Error(`worker ${name} did not start:\n${worker.output}`);
    return worker;
  }

  /** A fresh directory for a conversation's cwd. */
  async workspace(name: string): Promise<string> {
    const dir = join(this.baseDir, 'workspaces', name);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Runs the real `convo` command; never throws for a non-zero exit. */
  async convo(args: string[], input?: string, extraEnv: Record<string, string | undefined> = {}) {
    return execa('node', [CONVO_BIN, ...args], { env: this.env(extraEnv), extendEnv: false, reject: false, input });
  }

  /** Polls `client.state(id)` until `check` holds; throws with the last state after `timeoutMs` (default 60 s). */
  async waitForState(
    id: string,
    check: (state: ConversationState) => boolean,
    { client = this.client, timeoutMs = 60_000 }: { client?: ConvoClient; timeoutMs?: number } = {},
  ): Promise<ConversationState> {
    let last: ConversationState | undefined;
    try {
      await waitUntil(async () => {
        last = await client.state(id).catch(() => undefined);
        return last !== undefined && check(last);
      }, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last state of ${id}: ${JSON.stringify(last)}`, { cause: err });
    }
    return last!;
  }

  /**
   * Scripts `reply` for the main-loop request whose last user text is `prompt`, held until `release()`.
   * `arrived` resolves when that request reaches the model.
   */
  holdReply(prompt: string, reply: ScriptedReply): { arrived: Promise<void>; release: () => void } {
    return this.model.hold(prompt, reply);
  }

  /**
   * Every started attempt of the `runTurn` activity in a conversation's history, in order: which worker ran it
   * (identity `pid@host`) and the attempt number.
   */
  async turnAttempts(id: string, client = this.client): Promise<Array<{ identity: string; attempt: number }>> {
    const history = await client.client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const runTurnScheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTurn')
        .map((e) => String(e.eventId)),
    );
    return events
      .filter((e) => runTurnScheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
      .map((e) => ({
        identity: e.activityTaskStartedEventAttributes!.identity ?? '',
        attempt: e.activityTaskStartedEventAttributes!.attempt ?? 0,
      }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop('SIGKILL')));
    await this.client.shutdown();
    await this.model.close();
    await removeDir(this.baseDir);
  }
}

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}
