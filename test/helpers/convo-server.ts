/**
 * `convo server` as a user runs it, in the background, for tests of the dev server, its Web UI and codec server.
 */
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../../src/server/free-port.js';

/** Where a started `convo server` listens. */
export interface ConvoServerPorts {
  grpc: number;
  ui: number;
  codec: number;
}

/**
 * Starts `convo server` on the given ports (a free codec port when none is given) with the database file `db`;
 * resolves once it has printed that its codec server is up (it prints that last). `env` adds to this process's
 * environment; TEMPORAL_ADDRESS is cleared so that it starts a server of its own.
 * (Wrapped in an object: the execa subprocess is a thenable, which an async function would wait for.)
 */
export async function startConvoServer(
  ports: Omit<ConvoServerPorts, 'codec'> & { codec?: number },
  db: string,
  env: Record<string, string> = {},
): Promise<{ child: ResultPromise; ports: ConvoServerPorts }> {
  const all = { ...ports, codec: ports.codec ?? (await freePort()) };
  const args = [
    'server',
    '--port',
    String(all.grpc),
    '--ui-port',
    String(all.ui),
    '--codec-port',
    String(all.codec),
    '--db',
    db,
  ];
  const child = execa('node', [join(projectRoot, 'bin', 'convo.js'), ...args], {
    env: { ...process.env, TEMPORAL_ADDRESS: '', ...env },
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('codec server at') && resolve());
    void child.then(() => reject(new Error(`convo server exited: ${out}`)));
  });
  return { child, ports: all };
}
