/**
 * docker-compose.yml, checked against the Compose Specification with its own library (compose-go, through
 * tools/compose-check) as `docker compose config` would, without a Docker engine; then what it must hold for Convo.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { composeCheck, type ComposeProject, type ComposeService } from '../helpers/go-tools.js';

const COMPOSE_FILE = join(projectRoot, 'docker-compose.yml');
/** Secrets the stack passes from the host environment; none may have a value in the file. */
const SECRETS = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'CONVO_ENCRYPTION_KEY'];

let project: ComposeProject;
let scratch: string;
beforeAll(async () => {
  const result = await composeCheck(COMPOSE_FILE);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  project = result.project!;
  scratch = await mkdtemp(join(tmpdir(), 'convo-compose-'));
}, 300_000); // the first run builds the checker (Go modules from the proxy)
afterAll(async () => scratch && rm(scratch, { recursive: true, force: true }));

function service(name: string): ComposeService {
  const s = project.services[name];
  if (!s) throw new Error(`no service ${name} in docker-compose.yml (has ${Object.keys(project.services).join(', ')})`);
  return s;
}

/** Seconds in a Go duration as compose-go prints it (`1m30s`, `90s`, `1h`). */
function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(n) * units[unit!]!;
  return total;
}

test('the file is a valid Compose file with the whole stack', () => {
  expect(project.name).toBe('convo');
  expect(Object.keys(project.services).sort()).toEqual(
    ['codec-server', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
  );
  // Third-party images are pinned to a version.
  for (const name of ['postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui']) {
    expect(service(name).image).toMatch(/^[a-z0-9/_-]+:\d+\.\d+(\.\d+)?$/);
  }
});

test('the worker and the codec server build from the repository Dockerfile', () => {
  for (const name of ['worker', 'codec-server']) {
    const build = service(name).build;
    expect(build?.context).toBe(projectRoot.replace(/\/$/, ''));
    expect(build?.dockerfile).toBe('Dockerfile');
    expect(existsSync(join(build!.context, build!.dockerfile!))).toBe(true);
  }
  expect(service('worker').command).toEqual(['worker']);
  expect(service('codec-server').command).toEqual([
    'codec-server',
    '--host',
    '0.0.0.0',
    '--port',
    '8081',
    '--cors-origin',
    'http://localhost:8080',
  ]);
});

test('the Web UI decodes through the codec server at the address the browser reaches, and the codec server allows the UI origin', () => {
  const ui = service('temporal-ui');
  expect(ui.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(ui.environment?.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:8081');
  expect(ui.ports).toEqual([expect.objectContaining({ host_ip: '127.0.0.1', published: '8080', target: 8080 })]);
  expect(service('codec-server').ports).toEqual([
    expect.objectContaining({ host_ip: '127.0.0.1', published: '8081', target: 8081 }),
  ]);
});

test('the worker: Temporal address, shared transcript store, metrics port, shutdown grace, start order', () => {
  const worker = service('worker');
  const env = worker.environment ?? {};
  expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(env.TEMPORAL_NAMESPACE).toBe('default');
  // The transcript store is a named volume (shared by replicas); the turn work dir is not on a shared volume.
  const store = worker.volumes?.find((v) => v.target === env.CONVO_TRANSCRIPT_DIR);
  expect(store).toMatchObject({ type: 'volume', source: 'transcripts' });
  expect(project.volumes).toHaveProperty('transcripts');
  expect(env.CONVO_WORK_DIR).toBeUndefined();
  // Metrics: the worker serves them on 9464 and the port is published.
  expect(env.CONVO_METRICS_ADDRESS).toBe('0.0.0.0:9464');
  expect(worker.ports).toEqual([
    expect.objectContaining({ target: 9464, published: expect.stringMatching(/^9464(-\d+)?$/) }),
  ]);
  // docker compose stop waits longer than the worker lets running turns finish.
  expect(seconds(worker.stop_grace_period!)).toBeGreaterThan(Number(env.CONVO_SHUTDOWN_GRACE_S));
  expect(worker.depends_on).toMatchObject({
    temporal: { condition: 'service_healthy' },
    'temporal-setup': { condition: 'service_completed_successfully' },
  });
  expect(service('temporal').depends_on).toMatchObject({
    'temporal-schema': { condition: 'service_completed_successfully' },
  });
  expect(service('temporal-schema').depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
  for (const name of ['postgresql', 'temporal', 'codec-server', 'worker'])
    expect(service(name).healthcheck?.test?.length).toBeGreaterThan(1);
});

test('the setup service registers the search attributes with the temporal CLI on the default namespace', () => {
  const setup = service('temporal-setup');
  expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
  expect(setup.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'default' });
  const script = setup.volumes?.find((v) => setup.entrypoint?.includes(v.target));
  expect(script?.source).toBe(join(projectRoot, 'deploy', 'temporal', 'setup-namespace.sh'));
  // (test/e2e/compose-setup.test.ts runs that script against a real Temporal server.)
});

test('no secret is written in the file: secrets are passed through from the host environment', async () => {
  const text = await readFile(COMPOSE_FILE, 'utf8');
  expect(text).not.toMatch(/sk-ant-|tmprl[-_]|[A-Za-z0-9+/]{43}=/);
  // Unset on the host: unset in the containers (no value in the file to fall back on).
  for (const s of Object.values(project.services)) {
    for (const name of SECRETS) if (s.environment && name in s.environment) expect(s.environment[name]).toBeNull();
  }
  expect(service('worker').environment).toHaveProperty('ANTHROPIC_API_KEY');
  expect(service('worker').environment).toHaveProperty('CONVO_ENCRYPTION_KEY');
  expect(service('codec-server').environment).toHaveProperty('CONVO_ENCRYPTION_KEY');
  // Set on the host: that value reaches the containers; the database password too comes from the host when given.
  const hostEnv = Object.fromEntries([...SECRETS, 'POSTGRES_PASSWORD'].map((name) => [name, `host-value-of-${name}`]));
  const withHost = (await composeCheck(COMPOSE_FILE, hostEnv)).project!;
  for (const name of SECRETS) expect(withHost.services.worker!.environment?.[name]).toBe(hostEnv[name]);
  expect(withHost.services['codec-server']!.environment?.CONVO_ENCRYPTION_KEY).toBe(hostEnv.CONVO_ENCRYPTION_KEY);
  expect(withHost.services.postgresql!.environment?.POSTGRES_PASSWORD).toBe(hostEnv.POSTGRES_PASSWORD);
  expect(withHost.services.temporal!.environment?.POSTGRES_PWD).toBe(hostEnv.POSTGRES_PASSWORD);
});

test('the checker rejects broken Compose files, so the checks above can fail', async () => {
  const original = await readFile(COMPOSE_FILE, 'utf8');
  await cp(join(projectRoot, 'deploy'), join(scratch, 'deploy'), { recursive: true });
  const broken: Array<[string, string, RegExp]> = [
    ['unknown top-level key', `${original}\nworkers: 3\n`, /additional properties 'workers' not allowed/],
    [
      'bad port',
      original.replace(/(['"])127\.0\.0\.1:8080:8080\1/, "'127.0.0.1:8080:http'"),
      /Invalid containerPort: http/,
    ],
    [
      'bad depends_on condition',
      original.replace('condition: service_healthy', 'condition: healthy'),
      /condition value must be one of/,
    ],
    [
      'unknown service in depends_on',
      original.replace(/^ {2}temporal-setup:$/m, '  temporal-init:'),
      /depends on undefined service "temporal-setup"/,
    ],
    ['undeclared volume', original.replace(/^ {2}transcripts:$/m, ''), /undefined volume transcripts/],
  ];
  for (const [what, text, reason] of broken) {
    expect(text).not.toBe(original);
    const file = join(scratch, `${what.replace(/\W+/g, '-')}.yml`);
    await writeFile(file, text);
    const result = await composeCheck(file);
    expect({ what, exitCode: result.exitCode }).toEqual({ what, exitCode: 1 });
    expect(result.stderr).toMatch(reason);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }
  // The same file unbroken, from the same folder, passes: the failures above are the breakages'.
  await writeFile(join(scratch, 'unbroken.yml'), original);
  expect((await composeCheck(join(scratch, 'unbroken.yml'))).exitCode).toBe(0);
});
