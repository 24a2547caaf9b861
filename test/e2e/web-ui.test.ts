/**
 * `convo server` with CONVO_ENCRYPTION_KEY: the dev server's Web UI decodes payloads through the codec server that
 * `convo server` runs beside it, so an encrypted conversation's prompt, reply and current details read as text in a
 * real headless Chromium (Debian's `chromium`, installed by `npm run setup`, driven by playwright-core), and the
 * conversation list filters on Convo's search attributes, including a tool call that waits for approval, and a running
 * turn's latest text shows on its pending activity (heartbeat details). Screenshots
 * go to `test-artifacts/web-ui/`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { chromium, type Page } from 'playwright-core';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../../src/server/free-port.js';
import { startConvoServer } from '../helpers/convo-server.js';
import { removeDir, stopProcess } from '../helpers/cleanup.js';
import { waitUntil, World } from '../helpers/world.js';

/** A Chromium to drive: CHROME_PATH, playwright's own download, or the system's. */
function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROME_PATH,
    chromium.executablePath(),
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}
const browserPath = findChromium();
/** Where the screenshots are saved (CI keeps them as artifacts). */
const ARTIFACTS = join(projectRoot, 'test-artifacts', 'web-ui');

/** A headless Chromium; fails with a clear message when none is installed (`npm run setup` installs Debian's). */
async function launchBrowser() {
  if (!browserPath)
    throw new Error('no Chromium found: run `npm run setup` (installs Debian chromium) or set CHROME_PATH');
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'] });
}

const encryptedEnv = { CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'), CONVO_ENCRYPTION_KEY_ID: 'ui-key' };
let dir: string;
let server: ResultPromise;
let ports: { grpc: number; ui: number; codec: number };
let world: World;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-web-ui-'));
  ports = { grpc: await freePort(), ui: await freePort(), codec: await freePort() };
  server = (await startConvoServer(ports, join(dir, 'temporal.db'), encryptedEnv)).child;
  world = await World.create('web-ui', `127.0.0.1:${ports.grpc}`, encryptedEnv);
  await world.startWorker('ui');
});
afterAll(async () => {
  await world?.dispose();
  if (server !== undefined) await stopProcess(server);
  await removeDir(dir);
});

/** Waits until one of the page's frames shows every one of `texts`; returns that frame's text. */
async function waitForRendered(page: Page, texts: string[], timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame
        .locator('body')
        .innerText()
        .catch(() => '');
      if (texts.every((t) => text.includes(t))) return text.replace(/\s*\n\s*/g, '\n');
    }
    if (Date.now() > deadline) throw new Error(`no frame of ${page.url()} shows ${JSON.stringify(texts)}`);
    await page.waitForTimeout(250);
  }
}

test('the Web UI is configured with the codec server, which answers its CORS preflight', async () => {
  const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as {
    Codec: { Endpoint: string };
  };
  expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${ports.codec}`);
  for (const origin of [`http://localhost:${ports.ui}`, `http://127.0.0.1:${ports.ui}`]) {
    const preflight = await fetch(`${settings.Codec.Endpoint}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
  }
});

test('convo list shows encrypted titles with the key, and lists without it; show names the key id', async () => {
  const title = `listed-${randomUUID().slice(0, 8)}`;
  const id = await world.client.start({ cwd: await world.workspace('list'), title });
  const listed = await world.convo(['list']);
  expect(listed.exitCode).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`${id}\\s+│ idle\\s+│ 0\\s+│ ${title}`));
  // Without the key the list still works; the title says why it is not shown, and reading the conversation names
  // the key id it needs.
  const keyless = await world.convo(['list'], undefined, { CONVO_ENCRYPTION_KEY: '', CONVO_ENCRYPTION_KEY_ID: '' });
  expect(keyless.exitCode).toBe(0);
  expect(keyless.stdout).toMatch(new RegExp(`${id}\\s+│ idle\\s+│ 0\\s+│ \\(encrypted: no key\\)`));
  const shown = await world.convo(['show', id], undefined, { CONVO_ENCRYPTION_KEY: '', CONVO_ENCRYPTION_KEY_ID: '' });
  expect(shown.exitCode).toBe(1);
  expect(shown.stderr.trim()).toMatch(/^convo: .*cannot decrypt a payload encrypted with key id ui-key/);
});

test('an encrypted conversation reads as text in the Web UI of convo server', async () => {
  const title = `ui-title-${randomUUID()}`;
  const prompt = `ui-prompt-${randomUUID()}`;
  const reply = `ui-reply-${randomUUID()}`;
  const id = await world.client.start({ cwd: await world.workspace('ui'), title });
  world.model.script({ text: reply }, (r) => r.hasTools && r.lastUserText === prompt);
  expect((await world.client.ask(id, prompt)).reply).toBe(reply);

  const browser = await launchBrowser();
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
    await page.screenshot({ path: join(ARTIFACTS, 'event-history-decoded.png'), fullPage: true });
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((url) => new URL(url).pathname === '/decode')).toBe(true);
  } finally {
    await browser.close();
  }
});

test("an encrypted failed turn's message (an encoded failure in history) reads as text in the Web UI", async () => {
  const secret = `ui-failure-${randomUUID()}`;
  const prompt = `ui-break-${randomUUID()}`;
  const id = await world.client.start({ cwd: await world.workspace('ui-failure') });
  world.model.script(
    { error: { status: 400, type: 'invalid_request_error', message: `messages: ${secret}` }, times: Infinity },
    (r) => r.lastUserText === prompt,
  );
  await expect(world.client.ask(id, prompt)).rejects.toMatchObject({ type: 'InvalidRequest' });

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 2000 } });
  try {
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${id}`);
    await page.getByText('Event History').first().click();
    await page.getByText('Activity Task Failed').first().click();
    // Decoded through the codec server in the failure's details (`encodedAttributes`); the one-line summaries keep
    // the placeholder the history holds.
    await page.getByText(secret).first().waitFor({ timeout: 60_000 });
    expect(await page.getByText('Encoded failure').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'failure-decoded.png'), fullPage: true });
  } catch (err) {
    await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true });
    throw err;
  } finally {
    await browser.close();
  }
});

test("the Web UI lists conversations filtered by ConversationStatus and shows one conversation's current details", async () => {
  const tag = randomUUID().slice(0, 8);
  const idleTitle = `idle-${tag}`;
  const busyTitle = `busy-${tag}`;
  const reply = `details-reply-${tag}`;
  const idle = await world.client.start({ cwd: await world.workspace('idle-ui'), title: idleTitle });
  world.model.script(
    { text: `${reply}\nsecond line of the reply` },
    (r) => r.hasTools && r.lastUserText === `first-${tag}`,
  );
  await world.client.ask(idle, `first-${tag}`);
  // Current details refresh every 2 s while its turn runs (the default is 60 s).
  const busy = await world.client.start({
    cwd: await world.workspace('busy-ui'),
    title: busyTitle,
    detailsRefreshS: 2,
  });
  const held = world.holdReply(`held-${tag}`, { text: 'later' });
  await world.client.send(busy, `held-${tag}`);
  await held.arrived;

  // The elapsed time in the current details (what the Web UI reads with the metadata query) moves on while the turn runs.
  const elapsed = async (): Promise<number | undefined> => {
    const meta = await world.client.client.workflow
      .getHandle(busy)
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const m = /Running turn 1 for (\d+)s \(since \d\d:\d\d UTC\): held-/.exec(meta.currentDetails ?? '');
    return m ? Number(m[1]) : undefined;
  };
  let firstSeen: number | undefined;
  await waitUntil(async () => {
    const s = await elapsed();
    firstSeen ??= s;
    return s !== undefined && firstSeen !== undefined && s > firstSeen;
  }, 30_000);

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    // The list, filtered by the search attribute the workflow keeps: only the running conversation.
    const query = encodeURIComponent('ConversationStatus="running"');
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows?query=${query}`);
    await page.getByRole('link', { name: busy }).first().waitFor({ timeout: 60_000 });
    expect(await page.getByRole('link', { name: idle }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'list-filtered-running.png'), fullPage: true });

    await page.goto(
      `http://localhost:${ports.ui}/namespaces/default/workflows?query=${encodeURIComponent('ConversationStatus="idle"')}`,
    );
    await page.getByRole('link', { name: idle }).first().waitFor({ timeout: 60_000 });
    expect(await page.getByRole('link', { name: busy }).count()).toBe(0);

    // The idle conversation's page: its summary (the title), and current details with the decoded last reply.
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${idle}`);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // The UI renders Markdown (summary, details, current details) in sandboxed iframes of their own.
    await waitForRendered(page, [idleTitle]);
    const details = await waitForRendered(page, ['Last reply (turn 1):', reply]);
    expect(details).toMatch(/idle · 1 turn · backend claude/);
    expect(details).toContain('second line of the reply');
    await page.screenshot({ path: join(ARTIFACTS, 'conversation-current-details.png'), fullPage: true });

    // The running conversation's page: the turn's prompt in its current details and in the activity's summary.
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${busy}`);
    await page.getByText(`turn 1: held-${tag}`).first().waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    expect(await waitForRendered(page, ['Running turn 1 for', `held-${tag}`])).toMatch(/running · 1 turn/);
    await page.screenshot({ path: join(ARTIFACTS, 'conversation-running.png'), fullPage: true });
  } catch (err) {
    await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true });
    throw err;
  } finally {
    held.release();
    await browser.close();
  }
});

test('a tool call waiting for approval shows in the Web UI: listed as needs_approval, its command in the details', async () => {
  const tag = randomUUID().slice(0, 8);
  const command = `echo approve-me-${tag} > approved.txt`;
  const id = await world.client.start({ cwd: await world.workspace('approval-ui'), approve: ['Bash'] });
  world.model.script([{ toolUse: { name: 'Bash', input: { command, description: 'write' } } }, { text: 'done' }]);
  await world.client.send(id, `write it ${tag}`);
  await world.waitForState(id, (s) => s.status === 'needs_approval');

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    const query = encodeURIComponent('ConversationStatus="needs_approval"');
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows?query=${query}`);
    await page.getByRole('link', { name: id }).first().waitFor({ timeout: 60_000 });
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${id}`);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const details = await waitForRendered(page, [command, `convo approve ${id}`]);
    expect(details).toMatch(/needs_approval/);
    await page.screenshot({ path: join(ARTIFACTS, 'conversation-needs-approval.png'), fullPage: true });
  } catch (err) {
    await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true });
    throw err;
  } finally {
    await browser.close();
  }
  await world.client.deny(id, { reason: 'seen in the browser test' });
  await world.waitForState(id, (s) => s.turns[0]?.status === 'completed');
});

test("the running turn's latest text shows in the Web UI, on its pending activity's heartbeat details", async () => {
  const tag = randomUUID().slice(0, 8);
  const chunk = `live-chunk-${tag} `;
  const id = await world.client.start({ cwd: await world.workspace('live-ui') });
  world.model.script(
    { chunks: [chunk, 'and the end, much later.'], chunkDelayMs: 60_000 },
    (r) => r.hasTools && r.lastUserText === `stream-${tag}`,
  );
  await world.client.send(id, `stream-${tag}`);
  await waitUntil(async () => (await world.client.snapshot(id)).activity?.progress?.text === chunk, 60_000);

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  try {
    await page.goto(`http://localhost:${ports.ui}/namespaces/default/workflows/${id}`);
    await page.getByRole('tab', { name: /Pending Activities/ }).click();
    // Decoded through the codec server: the heartbeat details are encrypted like every payload.
    await waitForRendered(page, [`live-chunk-${tag}`]);
    await page.screenshot({ path: join(ARTIFACTS, 'pending-activity-live-text.png'), fullPage: true });
  } catch (err) {
    await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true });
    throw err;
  } finally {
    await browser.close();
  }
  await world.client.cancel(id);
});
