/**
 * Realistic reply content for benchmarks: slices of real source files shipped in node_modules (TypeScript's lib
 * declarations, the Temporal SDK's sources) and log lines with varying timestamps, levels and ids. Deterministic per
 * turn, and not a repeated string, so that compression figures mean something.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';

let corpus: string | undefined;

function loadCorpus(): string {
  if (corpus) return corpus;
  const parts: string[] = [];
  const tsLib = join(projectRoot, 'node_modules', 'typescript', 'lib');
  for (const file of readdirSync(tsLib)
    .filter((f) => f.endsWith('.d.ts'))
    .sort())
    parts.push(readFileSync(join(tsLib, file), 'utf8'));
  for (const pkg of ['worker', 'client', 'workflow', 'common']) {
    const src = join(projectRoot, 'node_modules', '@temporalio', pkg, 'src');
    for (const file of readdirSync(src)
      .filter((f) => f.endsWith('.ts'))
      .sort())
      parts.push(readFileSync(join(src, file), 'utf8'));
  }
  corpus = parts.join('\n');
  return corpus;
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEVELS = ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];
const COMPONENTS = ['http', 'db.pool', 'scheduler', 'auth', 'cache', 'worker', 'billing'];

/** About `bytes` of text for turn `turn`: four fifths source code, one fifth logs. */
export function contentForTurn(turn: number, bytes: number): string {
  const text = loadCorpus();
  const rand = random(turn * 7919 + 17);
  const sourceBytes = Math.floor(bytes * 0.8);
  const start = Math.floor(rand() * Math.max(1, text.length - sourceBytes));
  const source = text.slice(start, start + sourceBytes);
  const logs: string[] = [];
  let size = 0;
  let time = Date.UTC(2026, 10, 21, 8, 0, 0) + turn * 60_000;
  while (size < bytes - sourceBytes) {
    time += Math.floor(rand() * 900);
    const line = `${new Date(time).toISOString()} ${LEVELS[Math.floor(rand() * LEVELS.length)]} [${
      COMPONENTS[Math.floor(rand() * COMPONENTS.length)]
    }] req=${Math.floor(rand() * 1e9).toString(16)} latency_ms=${Math.floor(rand() * 2000)} status=${[200, 200, 201, 204, 404, 500][Math.floor(rand() * 6)]}`;
    logs.push(line);
    size += line.length + 1;
  }
  return `Here is the next part of the file:\n\n\`\`\`ts\n${source}\n\`\`\`\n\nAnd the logs:\n\n\`\`\`\n${logs.join('\n')}\n\`\`\`\n`;
}
