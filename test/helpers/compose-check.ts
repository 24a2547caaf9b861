/**
 * Runs tools/compose-check (Go, the Compose Specification's own compose-go library) on a Compose file: the checks
 * `docker compose config` makes, without a Docker engine. The tool is built on first use with `go build` (modules
 * from the Go module proxy, pinned by tools/compose-check/go.sum) into a cache folder named after a hash of its
 * sources, so a fresh clone builds it once and a changed tool is rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/paths.js';

const TOOL_DIR = join(projectRoot, 'tools', 'compose-check');

/** Builds the tool unless a build of the same sources exists; returns the binary's path. */
export async function composeCheckBinary(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(TOOL_DIR, file)));
  const dir = join(tmpdir(), `convo-compose-check-${hash.digest('hex').slice(0, 16)}`);
  const binary = join(dir, 'compose-check');
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = await execa('go', ['build', '-o', partial, '.'], { cwd: TOOL_DIR, reject: false, all: true });
  if (built.exitCode !== 0) throw new Error(`go build of tools/compose-check failed (Go and the Go module proxy are needed):\n${built.all}`);
  await rename(partial, binary);
  return binary;
}

/** What the tool printed for one Compose file. `project` is the resolved model when the file is valid. */
export interface ComposeCheckResult {
  exitCode: number;
  stderr: string;
  project?: ComposeProject;
}

/** The parts of compose-go's resolved project the tests read. */
export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: Array<{ host_ip?: string; target: number; published?: string; protocol?: string }>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
}

/**
 * Validates and resolves `file` as `docker compose config` would, with `env` as the only environment (variables are
 * interpolated from it, and `KEY:` entries without a value take its value).
 */
export async function composeCheck(file: string, env: Record<string, string> = {}): Promise<ComposeCheckResult> {
  const binary = await composeCheckBinary();
  const result = await execa(binary, [file], { env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false, reject: false });
  return {
    exitCode: result.exitCode ?? 1,
    stderr: result.stderr,
    project: result.exitCode === 0 ? (JSON.parse(result.stdout) as ComposeProject) : undefined,
  };
}
