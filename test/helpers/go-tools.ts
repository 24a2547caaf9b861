/**
 * The project's small Go checkers, for the deployment files, without a Docker engine:
 * - tools/compose-check: the Compose Specification's own library (compose-go) loads a Compose file as
 *   `docker compose config` does (JSON schema, interpolation, consistency);
 * - tools/dockerfile-check: BuildKit's Dockerfile parser, instruction checks and linter, as `docker build` runs them.
 * Each is built on first use with `go build` (modules from the Go module proxy, pinned by its go.sum) into a cache
 * folder named after a hash of its sources, so a fresh clone builds it once and a changed tool is rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/paths.js';

/**
 * Builds tools/<name> unless a build of the same sources exists; returns the binary's path.
 * @throws Error with go's output when the build fails (Go and the Go module proxy are needed).
 */
export async function goTool(name: 'compose-check' | 'dockerfile-check'): Promise<string> {
  const toolDir = join(projectRoot, 'tools', name);
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(toolDir, file)));
  const dir = join(tmpdir(), `convo-${name}-${hash.digest('hex').slice(0, 16)}`);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const built = await execa('go', ['build', '-o', partial, '.'], { cwd: toolDir, reject: false, all: true });
  if (built.exitCode !== 0)
    throw new Error(`go build of tools/${name} failed (Go and the Go module proxy are needed):\n${built.all}`);
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
  const binary = await goTool('compose-check');
  const result = await execa(binary, [file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
    reject: false,
  });
  return {
    exitCode: result.exitCode ?? 1,
    stderr: result.stderr,
    project: result.exitCode === 0 ? (JSON.parse(result.stdout) as ComposeProject) : undefined,
  };
}

/** What tools/dockerfile-check printed: build args with their defaults, stages and linter warnings. */
export interface DockerfileReport {
  args: Record<string, string>;
  stages: Array<{ name: string; base: string; commands: string[] }>;
  warnings: string[];
}

/** Parses and lints a Dockerfile as `docker build` would; `report` is set when it parses. */
export async function dockerfileCheck(
  file: string,
): Promise<{ exitCode: number; stderr: string; report?: DockerfileReport }> {
  const binary = await goTool('dockerfile-check');
  const result = await execa(binary, [file], { reject: false });
  return {
    exitCode: result.exitCode ?? 1,
    stderr: result.stderr,
    report: result.exitCode === 0 ? (JSON.parse(result.stdout) as DockerfileReport) : undefined,
  };
}
