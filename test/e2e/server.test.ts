/**
 * `convo server`: the real dev server in the foreground, with its Web UI, keeping conversations in its database
 * file across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ConvoClient } from '../../src/client/client.js';
import { loadConfig } from '../../src/config.js';
import { answers } from '../../src/server/dev-server.js';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../../src/server/free-port.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-server-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Starts `convo server`; resolves once it says it is up. (Wrapped: the subprocess is a thenable.) */
async function startServer(port: number, uiPort: number, db: string): Promise<{ child: ResultPromise }> {
  const env = { ...process.env, TEMPORAL_ADDRESS: '' };
  const codecPort = String(await freePort());
  const args = ['server', '--port', String(port), '--ui-port', String(uiPort), '--codec-port', codecPort, '--db', db];
  const child = execa('node', [join(projectRoot, 'bin', 'convo.js'), ...args], {
    env,
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Web UI at')) resolve();
    });
    void child.then(() => reject(new Error(`convo server exited: ${out}`)));
  });
  return { child };
}

test('convo server serves the Web UI and keeps conversations across a restart', async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const db = join(dir, 'temporal.db');
  let server = await startServer(port, uiPort, db);
  const config = { ...loadConfig(), temporalAddress: `127.0.0.1:${port}`, taskQueue: 'server-test' };
  let client = await ConvoClient.connect(config);
  try {
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<html');
    const id = await client.start({ cwd: dir, title: 'survives restarts' });
    await client.shutdown();

    server.child.kill('SIGTERM');
    await server.child;
    expect(await answers(config.temporalAddress)).toBe(false);
    server = await startServer(port, uiPort, db);
    client = await ConvoClient.connect(config);

    const [row] = (await client.list()).filter((r) => r.id === id);
    expect(row).toMatchObject({ id, title: 'survives restarts' });
    const description = await client.client.workflow.getHandle(id).describe();
    expect(description.status.name).toBe('RUNNING');
  } finally {
    await client.shutdown();
    server.child.kill('SIGTERM');
    await server.child;
  }
});
