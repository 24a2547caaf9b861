/**
 * What a turn costs over the CLI itself (`npm run bench`, part `latency`): against one instant scripted model, in one
 * run, the same short turn three ways, alternating so that the machine's load falls on all three alike:
 * - `bare`: `claude --print --resume <session>` spawned directly (prompt on stdin, default output), timed from the
 *   spawn to its exit: the floor a durable turn is compared with;
 * - `cold`: a turn through Convo (`ConvoClient.ask`, from the update to the reply) on a worker without warm sessions
 *   (`CONVO_WARM_MAX=0`): the transcript restored, the CLI spawned, the transcript captured;
 * - `warm`: the same on a worker with warm sessions on: the prompt written to the CLI the previous turn left alive.
 * Each way continues its own conversation, so their transcripts grow alike. Ratios are medians over `bare`'s median.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLAUDE_ENV_VARS } from '../activities/backends/claude/backend.js';
import { loadSettings } from '../activities/backends/claude/settings.js';
import { cliEnv } from '../activities/turn/cli-env.js';
import type { ConvoClient } from '../client/client.js';
import { ScriptedModelServer } from '../testing/index.js';
import { BENCH_API_KEY, startBenchServer } from './stack.js';

/** Medians of one latency run, ms, and their ratios to `bare`. */
export interface LatencyResult {
  /** Turns measured per way (after two unmeasured ones each). */
  turns: number;
  bareMs: number;
  coldMs: number;
  warmMs: number;
  coldRatio: number;
  warmRatio: number;
  /** Every sample, ms, in the order taken. */
  samples: { bare: number[]; cold: number[]; warm: number[] };
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
    const cold = await stack.startWorker('latency-cold', model, { CONVO_WARM_MAX: '0' });
    const warm = await stack.startWorker('latency-warm', model, { CONVO_WARM_MAX: '2' });
    const bare = await bareSession(stack.dir, model.url);
    const ask = async (client: ConvoClient, id: string, prompt: string): Promise<number> => {
      const started = performance.now();
      await client.ask(id, prompt);
      return performance.now() - started;
    };
    const coldId = await cold.client.start({ cwd: await workDir(stack.dir, 'cold') });
    const warmId = await warm.client.start({ cwd: await workDir(stack.dir, 'warm') });
    const samples: LatencyResult['samples'] = { bare: [], cold: [], warm: [] };
    for (let i = -2; i < turns; i++) {
      const prompt = `turn ${i + 3}: a short question`;
      const c = await ask(cold.client, coldId, prompt);
      const w = await ask(warm.client, warmId, prompt);
      const b = await bare.turn(prompt);
      if (i < 0) continue;
      samples.cold.push(c);
      samples.warm.push(w);
      samples.bare.push(b);
      log(`round ${i + 1}: cold ${Math.round(c)} ms, warm ${Math.round(w)} ms, bare ${Math.round(b)} ms`);
    }
    const [bareMs, coldMs, warmMs] = [median(samples.bare), median(samples.cold), median(samples.warm)];
    const round = (xs: number[]) => xs.map((x) => Math.round(x));
    return {
      turns,
      bareMs: Math.round(bareMs),
      coldMs: Math.round(coldMs),
      warmMs: Math.round(warmMs),
      coldRatio: Number((coldMs / bareMs).toFixed(3)),
      warmRatio: Number((warmMs / bareMs).toFixed(3)),
      samples: { bare: round(samples.bare), cold: round(samples.cold), warm: round(samples.warm) },
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

/**
 * A Claude Code session run with bare `claude` spawns, as a person would at a shell: its own config dir (kept between
 * runs), started with one run, in the environment the bench's workers give the CLI (the same allow-list of this
 * process's environment, e.g. `NODE_EXTRA_CA_CERTS`, which alone costs a run about 25 ms here; the same HOME, TMPDIR,
 * model server and retries), so that the difference is Convo's.
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
