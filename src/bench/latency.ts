/**
 * What a turn costs over the CLI itself (`npm run bench`, part `latency`): against one instant scripted model, in one
 * run, the same short turn four ways, alternating so that the machine's load falls on all of them alike:
 * - `bare`: `claude --print --resume <session>` spawned directly (prompt on stdin, default output), timed from the
 *   spawn to its exit: the floor a durable turn is compared with;
 * - `cold`: a turn through Convo (`ConvoClient.ask`, from the update to the reply) that finds no live CLI: the
 *   transcript restored into a fresh config dir, the CLI spawned (as every turn does with warm sessions on, the
 *   default: it then stays for the next turn; here its worker's `CONVO_WARM_IDLE_S` ends it before that, and the bench
 *   waits until it has exited, so that ending it is in no sample);
 * - `warm`: the same on a worker whose conversation's CLI the previous turn left alive: the prompt is written to it;
 * - `off`: the same as `cold` on a worker with warm sessions off (`CONVO_WARM_MAX=0`): `claude --print`, waited for
 *   until it exits, as every turn ran before warm sessions.
 * Each way continues its own conversation, so their transcripts grow alike. Ratios are medians over `bare`'s median.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLAUDE_ENV_VARS } from '../activities/backends/claude/backend.js';
import { loadSettings } from '../activities/backends/claude/settings.js';
import { cliEnv } from '../activities/turn/cli-env.js';
import type { ConvoClient } from '../client/client.js';
import { ScriptedModelServer } from '../testing/index.js';
import { BENCH_API_KEY, startBenchServer } from './stack.js';

/** The ways a turn is measured (see the file's comment). */
const WAYS = ['cold', 'warm', 'off', 'bare'] as const;
type Way = (typeof WAYS)[number];

/** Medians of one latency run, ms, and their ratios to `bare`. */
export interface LatencyResult {
  /** Turns measured per way (after two unmeasured ones each). */
  turns: number;
  bareMs: number;
  coldMs: number;
  warmMs: number;
  offMs: number;
  coldRatio: number;
  warmRatio: number;
  offRatio: number;
  /** Every sample, ms, in the order taken. */
  samples: Record<Way, number[]>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Runs `turns` measured turns each way (plus two unmeasured ones, which start the sessions and the warm process).
 * @param log called with a line per round.
 */
export async function latency(turns: number, log: (line: string) => void = () => undefined): Promise<LatencyResult> {
  const model = await ScriptedModelServer.start({ keepMessages: false });
  const stack = await startBenchServer('latency');
  try {
    const warm = await stack.startWorker('latency-warm', model, { CONVO_WARM_MAX: '2' });
    const cold = await stack.startWorker('latency-cold', model, { CONVO_WARM_MAX: '2', CONVO_WARM_IDLE_S: '0.1' });
    const off = await stack.startWorker('latency-off', model, { CONVO_WARM_MAX: '0' });
    const bare = await bareSession(stack.dir, model.url);
    const ask = async (client: ConvoClient, id: string, prompt: string): Promise<number> => {
      const started = performance.now();
      await client.ask(id, prompt);
      return performance.now() - started;
    };
    const ids = {
      cold: await cold.client.start({ cwd: await workDir(stack.dir, 'cold') }),
      warm: await warm.client.start({ cwd: await workDir(stack.dir, 'warm') }),
      off: await off.client.start({ cwd: await workDir(stack.dir, 'off') }),
    };
    const samples: LatencyResult['samples'] = { cold: [], warm: [], off: [], bare: [] };
    for (let i = -2; i < turns; i++) {
      const prompt = `turn ${i + 3}: a short question`;
      const round: Record<Way, number> = {
        cold: await ask(cold.client, ids.cold, prompt),
        // The cold conversation's CLI is ended once idle: not while another way is measured.
        ...(await untilNoCli(cold.tmp)),
        warm: await ask(warm.client, ids.warm, prompt),
        off: await ask(off.client, ids.off, prompt),
        bare: await bare.turn(prompt),
      };
      if (i < 0) continue;
      for (const way of WAYS) samples[way].push(round[way]);
      log(`round ${i + 1}: ${WAYS.map((w) => `${w} ${Math.round(round[w])} ms`).join(', ')}`);
    }
    const ms = (way: Way) => median(samples[way]);
    const ratio = (way: Way) => Number((ms(way) / ms('bare')).toFixed(3));
    return {
      turns,
      bareMs: Math.round(ms('bare')),
      coldMs: Math.round(ms('cold')),
      warmMs: Math.round(ms('warm')),
      offMs: Math.round(ms('off')),
      coldRatio: ratio('cold'),
      warmRatio: ratio('warm'),
      offRatio: ratio('off'),
      samples: Object.fromEntries(WAYS.map((w) => [w, samples[w].map((x) => Math.round(x))])) as Record<Way, number[]>,
    };
  } finally {
    await stack.dispose();
    await model.close();
  }
}

async function workDir(root: string, name: string): Promise<string> {
  const dir = join(root, 'work', name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Resolves (to nothing) once no `claude` process has `tmp` in its environment (a worker's turn dirs); 10 s at most. */
async function untilNoCli(tmp: string): Promise<Record<string, never>> {
  for (let i = 0; i < 200 && (await cliProcessesIn(tmp)) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return {};
}

/** How many `claude` processes have `path` in their environment (Linux `/proc`). */
async function cliProcessesIn(path: string): Promise<number> {
  let count = 0;
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!/(^|\/)claude$/.test(cmdline.split('\0')[0]!)) continue;
    if ((await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).includes(path)) count++;
  }
  return count;
}

/**
 * A Claude Code session run with bare `claude` spawns, as a person would at a shell: its own config dir (kept between
 * runs), started with one run, in the environment the bench's workers give the CLI (the same allow-list of this
 * process's environment, e.g. `NODE_EXTRA_CA_CERTS`, which alone costs a run about 25 ms here; the same HOME, model
 * server and retries), so that the difference is Convo's.
 */
async function bareSession(root: string, modelUrl: string): Promise<{ turn: (prompt: string) => Promise<number> }> {
  const claude = loadSettings().path;
  const cwd = await workDir(root, 'bare');
  const env = {
    ...cliEnv(process.env, CLAUDE_ENV_VARS, []),
    HOME: root,
    TMPDIR: root,
    CLAUDE_CONFIG_DIR: await mkdtemp(join(root, 'bare-config-')),
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: BENCH_API_KEY,
    CLAUDE_CODE_MAX_RETRIES: '0',
    DISABLE_AUTOUPDATER: '1',
  };
  const session = randomUUID();
  const run = async (args: string[], input: string): Promise<number> => {
    const started = performance.now();
    await execa(claude, args, { cwd, env, extendEnv: false, input });
    return performance.now() - started;
  };
  await run(['--print', '--session-id', session], 'turn 1: a short question');
  return { turn: (prompt) => run(['--print', '--resume', session], prompt) };
}
