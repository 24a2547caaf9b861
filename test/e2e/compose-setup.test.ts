/**
 * The compose stack's one-shot setup (deploy/temporal/setup-namespace.sh, run by the `temporal-setup` service with
 * the temporal CLI), run here against a real Temporal dev server with the project's temporal CLI: it creates the
 * namespace and registers Convo's search attributes with their types, and running it again changes nothing.
 */
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/paths.js';
import { findTemporalCli, startDevServer, type DevServer } from '../../src/server/dev-server.js';
import { freePort } from '../../src/server/free-port.js';

const SCRIPT = join(projectRoot, 'deploy', 'temporal', 'setup-namespace.sh');
const NAMESPACE = 'convo-setup-test';
let server: DevServer;
let cli: string;
beforeAll(async () => {
  cli = findTemporalCli()!;
  expect(cli).toBeDefined();
  // A server of its own: the search attributes registered here must not leak into other tests' namespaces.
  server = await startDevServer({ port: await freePort(), uiPort: false });
});
afterAll(async () => server?.stop());

function runSetup() {
  return execa('sh', [SCRIPT], {
    env: {
      PATH: `${dirname(cli)}:${process.env.PATH}`,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

async function searchAttributes(): Promise<Record<string, string>> {
  const listed = await execa(cli, [
    'operator',
    'search-attribute',
    'list',
    '--address',
    server.address,
    '--namespace',
    NAMESPACE,
    '-o',
    'json',
  ]);
  const parsed = JSON.parse(listed.stdout) as { customAttributes?: Record<string, string> };
  return parsed.customAttributes ?? {};
}

test('creates the namespace and registers the search attributes once; a second run leaves them as they are', async () => {
  const first = await runSetup();
  expect(first.all).toContain(`namespace ${NAMESPACE} ready`);
  expect(first.exitCode).toBe(0);
  expect(await searchAttributes()).toMatchObject({
    ConversationStatus: 'INDEXED_VALUE_TYPE_KEYWORD',
    ConversationBackend: 'INDEXED_VALUE_TYPE_KEYWORD',
    ConversationAccount: 'INDEXED_VALUE_TYPE_KEYWORD',
    TurnCount: 'INDEXED_VALUE_TYPE_INT',
    RateLimitedUntil: 'INDEXED_VALUE_TYPE_DATETIME',
  });

  const second = await runSetup();
  expect(second.exitCode).toBe(0);
  expect(second.all).toContain('search attribute TurnCount already registered');
});

test('fails, saying so, when no Temporal server answers', async () => {
  const result = await execa('sh', [SCRIPT], {
    env: {
      PATH: `${dirname(cli)}:${process.env.PATH}`,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      SETUP_HEALTH_TRIES: '2',
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
  expect(result.exitCode).toBe(1);
  expect(result.all).toMatch(/^Temporal at 127\.0\.0\.1:\d+ is not healthy after 2 tries$/m);
});
