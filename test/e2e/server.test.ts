/**
 * `convo server`: the real dev server in the foreground, with its Web UI, keeping conversations in its database
 * file across a restart.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConvoClient } from '../../src/client/client.js';
import { loadClientConfig } from '../../src/config/client.js';
import { answers } from '../../src/server/dev-server.js';
import { freePort } from '../../src/server/free-port.js';
import { startConvoServer } from '../helpers/convo-server.js';
import { removeDir, stopProcess } from '../helpers/cleanup.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-server-'));
});
afterAll(async () => removeDir(dir));

test('convo server serves the Web UI and keeps conversations across a restart', async () => {
  const [port, uiPort] = [await freePort(), await freePort()];
  const db = join(dir, 'temporal.db');
  let server = await startConvoServer({ grpc: port, ui: uiPort }, db);
  const config = { ...loadClientConfig(), temporalAddress: `127.0.0.1:${port}`, taskQueue: 'server-test' };
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
    server = await startConvoServer({ grpc: port, ui: uiPort }, db);
    client = await ConvoClient.connect(config);

    const [row] = (await client.list()).filter((r) => r.id === id);
    expect(row).toMatchObject({ id, title: 'survives restarts' });
    const description = await client.client.workflow.getHandle(id).describe();
    expect(description.status.name).toBe('RUNNING');
  } finally {
    await client.shutdown();
    await stopProcess(server.child);
  }
});
