/**
 * `convo server` with CONVO_ENCRYPTION_KEY: the dev server's Web UI decodes payloads through the codec server that
 * `convo server` runs beside it, so an encrypted conversation's prompt and reply read as text in a real browser
 * (Chromium driven by playwright-core; skipped, with a warning, when no Chromium is installed).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { chromium } from 'playwright-core';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../../src/server/free-port.js';
import { World } from '../helpers/world.js';

/** A Chromium to drive: CHROME_PATH, playwright's own download, or the system's. */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROME_PATH, chromium.executablePath(), '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((path): path is string => !!path && existsSync(path));
}
const browserPath = findChromium();
if (!browserPath) console.warn('web-ui.test.ts: no Chromium found (set CHROME_PATH); the browser test is skipped');

const encryptedEnv = { CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CONVO_ENCRYPTION_KEY_ID: 'ui-key' };
let dir: string;
let server: ResultPromise;
let ports: { grpc: number; ui: number; codec: number };
let world: World;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-web-ui-'));
  ports = { grpc: await freePort(), ui: await freePort(), codec: await freePort() };
  const args = ['server', '--port', String(ports.grpc), '--ui-port', String(ports.ui), '--codec-port', String(ports.codec), '--db', join(dir, 'temporal.db')];
  server = execa('node', [join(projectRoot, 'bin', 'convo.js'), ...args], {
    env: { ...process.env, TEMPORAL_ADDRESS: '', ...encryptedEnv },
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('codec server at') && resolve());
    void server.then(() => reject(new Error(`convo server exited: ${out}`)));
  });
  world = await World.create('web-ui', `127.0.0.1:${ports.grpc}`, encryptedEnv);
  await world.startWorker('ui');
});
afterAll(async () => {
  await world?.dispose();
  server?.kill('SIGTERM');
  await server;
  await rm(dir, { recursive: true, force: true });
});

test('the Web UI is configured with the codec server, which answers its CORS preflight', async () => {
  const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
  expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${ports.codec}`);
  for (const origin of [`http://localhost:${ports.ui}`, `http://127.0.0.1:${ports.ui}`]) {
    const preflight = await fetch(`${settings.Codec.Endpoint}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
  }
});

test('convo list shows encrypted titles with the key, and names the key id without it', async () => {
  const title = `listed-${randomUUID()}`;
  const id = await world.client.start({ cwd: await world.workspace('list'), title });
  const listed = await world.convo(['list']);
  expect(listed.exitCode).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`^${id}\t.*\t${title}$`, 'm'));
  const keyless = await world.convo(['list'], undefined, { CONVO_ENCRYPTION_KEY: '', CONVO_ENCRYPTION_KEY_ID: '' });
  expect(keyless.exitCode).toBe(1);
  expect(keyless.stderr.trim()).toMatch(/^convo: .*cannot decrypt a payload encrypted with key id ui-key/);
});

(browserPath ? test : test.skip)('an encrypted conversation reads as text in the Web UI of convo server', async () => {
  const title = `ui-title-${randomUUID()}`;
  const prompt = `ui-prompt-${randomUUID()}`;
  const reply = `ui-reply-${randomUUID()}`;
  const id = await world.client.start({ cwd: await world.workspace('ui'), title });
  world.model.script({ text: reply }, (r) => r.hasTools && r.lastUserText === prompt);
  expect((await world.client.ask(id, prompt)).reply).toBe(reply);

  const browser = await chromium.launch({ executablePath: browserPath, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
    const decodes: string[] = [];
    page.on('request', (r) => r.url().startsWith(`http://127.0.0.1:${ports.codec}/`) && decodes.push(r.url()));
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${id}`);
    // The workflow's input (encrypted in history) shows as JSON.
    await page.getByText(title).first().waitFor({ timeout: 60_000 });
    await page.getByText('Event History').first().click();
    // The turn's reply, in the activity result and the update's outcome.
    await page.getByText(reply).first().waitFor({ timeout: 60_000 });
    // The prompt, in the accepted update's request.
    await page.getByText('Workflow Execution Update Accepted').first().click();
    await page.getByText(prompt).first().waitFor({ timeout: 60_000 });
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((url) => new URL(url).pathname === '/decode')).toBe(true);
  } finally {
    await browser.close();
  }
});
