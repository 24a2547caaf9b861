/**
 * Temporal connection settings from envconfig profiles (TOML file, TEMPORAL_PROFILE) and TEMPORAL_* variables: what
 * reaches Connection.connect / NativeConnection.connect, what reaches the wire, and what never shows in logs.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadClientConfig } from '../../src/config/client.js';
import { connectionOptions, describeConnection, loadConnectionConfig } from '../../src/config/connection.js';
import { ConfigError } from '../../src/config/env.js';
import { loadWorkerConfig } from '../../src/config/worker.js';

const API_KEY = 'tmprl-test-key-0123456789abcdef';
let dir: string;
let home: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-connection-'));
  home = join(dir, 'home'); // an empty HOME, so no ~/.config/temporalio/temporal.toml of the user's is read
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Writes a profile file and returns the environment that selects `profile` in it. */
async function profileEnv(
  toml: string,
  profile?: string,
  extra: Record<string, string> = {},
): Promise<NodeJS.ProcessEnv> {
  const file = join(dir, `temporal-${Math.random().toString(36).slice(2)}.toml`);
  await writeFile(file, toml);
  return {
    HOME: home,
    PATH: process.env.PATH,
    TEMPORAL_CONFIG_FILE: file,
    ...(profile ? { TEMPORAL_PROFILE: profile } : {}),
    ...extra,
  };
}

test('no profile file and no TEMPORAL_* variables: the local dev server, namespace default, plain TCP', () => {
  const config = loadConnectionConfig({ HOME: home, PATH: process.env.PATH });
  expect(connectionOptions(config)).toEqual({ address: 'localhost:7233' });
  expect(config.namespace).toBe('default');
});

test('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE work as before', () => {
  const config = loadConnectionConfig({ HOME: home, TEMPORAL_ADDRESS: '10.1.2.3:7233', TEMPORAL_NAMESPACE: 'prod' });
  expect(connectionOptions(config)).toEqual({ address: '10.1.2.3:7233' });
  expect(config.namespace).toBe('prod');
});

test('a Temporal Cloud profile with an API key and TLS settings yields connection options carrying them', async () => {
  const certPath = join(dir, 'client.pem');
  await writeFile(certPath, 'CLIENT CERT');
  const env = await profileEnv(
    `
[profile.default]
address = "localhost:1"

[profile.cloud]
address = "my-ns.a1b2c.tmprl.cloud:7233"
namespace = "my-ns.a1b2c"
api_key = "${API_KEY}"
[profile.cloud.tls]
server_name = "my-ns.a1b2c.tmprl.cloud"
server_ca_cert_data = "CA CERT"
client_cert_path = "${certPath}"
client_key_data = "CLIENT KEY"
[profile.cloud.grpc_meta]
x-team = "convo"
`,
    'cloud',
  );
  const config = loadConnectionConfig(env);
  expect(config.temporalAddress).toBe('my-ns.a1b2c.tmprl.cloud:7233');
  expect(config.namespace).toBe('my-ns.a1b2c');
  const options = connectionOptions(config);
  expect(options.apiKey).toBe(API_KEY);
  expect(options.metadata).toEqual({ 'x-team': 'convo' });
  expect(options.tls).toEqual({
    serverNameOverride: 'my-ns.a1b2c.tmprl.cloud',
    serverRootCACertificate: new Uint8Array(Buffer.from('CA CERT')),
    clientCertPair: { crt: new Uint8Array(Buffer.from('CLIENT CERT')), key: new Uint8Array(Buffer.from('CLIENT KEY')) },
  });
  expect(describeConnection(config)).toBe('my-ns.a1b2c.tmprl.cloud:7233 namespace my-ns.a1b2c (TLS, API key)');
});

test('an API key alone turns TLS on; TEMPORAL_TLS=false turns it off; variables override the file', async () => {
  const toml = `[profile.cloud]\naddress = "a.tmprl.cloud:7233"\napi_key = "${API_KEY}"\n`;
  expect(connectionOptions(loadConnectionConfig(await profileEnv(toml, 'cloud')))).toEqual({
    address: 'a.tmprl.cloud:7233',
    apiKey: API_KEY,
    tls: true,
  });
  const plain = loadConnectionConfig(
    await profileEnv(toml, 'cloud', { TEMPORAL_TLS: 'false', TEMPORAL_ADDRESS: '127.0.0.1:7233' }),
  );
  expect(connectionOptions(plain)).toEqual({ address: '127.0.0.1:7233', apiKey: API_KEY, tls: false });
  const fromEnv = loadConnectionConfig({
    HOME: home,
    TEMPORAL_ADDRESS: 'b.tmprl.cloud:7233',
    TEMPORAL_API_KEY: 'other-key',
  });
  expect(connectionOptions(fromEnv)).toEqual({ address: 'b.tmprl.cloud:7233', apiKey: 'other-key', tls: true });
});

test('the API key and TLS key never show when a config is logged or serialised', async () => {
  const toml = `[profile.cloud]\naddress = "a.tmprl.cloud:7233"\napi_key = "${API_KEY}"\n[profile.cloud.tls]\nclient_cert_data = "C"\nclient_key_data = "PRIVATE-KEY-BYTES"\n`;
  const config = loadConnectionConfig(await profileEnv(toml, 'cloud'));
  for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), `${describeConnection(config)}`]) {
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain('PRIVATE-KEY-BYTES');
  }
  expect(JSON.parse(JSON.stringify(config)).temporalAuth).toEqual({ tls: true, apiKey: true });
});

test('bad settings are refused in one line that names the problem and holds no secret', async () => {
  const missing = await profileEnv('[profile.default]\naddress = "x:1"\n', 'nope');
  expect(() => loadConnectionConfig(missing)).toThrow(ConfigError);
  expect(() => loadConnectionConfig(missing)).toThrow(/Profile 'nope' not found/);

  const broken = await profileEnv(`[profile.default]\napi_key = "${API_KEY}"\naddress = \n`);
  const err = (() => {
    try {
      loadConnectionConfig(broken);
    } catch (e) {
      return e as Error;
    }
  })();
  expect(err).toBeInstanceOf(ConfigError);
  expect(err!.message).toMatch(
    /^Temporal connection settings \(profile default of .*\.toml and TEMPORAL_\* variables\): /,
  );
  expect(err!.message).not.toContain('\n');
  expect(err!.message).not.toContain(API_KEY);

  const wrongType = await profileEnv('[profile.default]\naddress = 7233\n');
  expect(() => loadConnectionConfig(wrongType)).toThrow(
    /Temporal connection setting address .*: Invalid input: expected string, received number/,
  );
  expect(() => loadConnectionConfig({ HOME: home, TEMPORAL_ADDRESS: '' })).toThrow(
    /setting address .*must not be empty/,
  );
  const noCert = await profileEnv(
    '[profile.default]\n[profile.default.tls]\nclient_cert_path = "/no/such/cert.pem"\nclient_key_data = "k"\n',
  );
  expect(() => loadConnectionConfig(noCert)).toThrow(/ENOENT.*\/no\/such\/cert\.pem/);
});

describe('on the wire', () => {
  let server: Http2Server;
  let seen: IncomingHttpHeaders[];
  let address: string;
  beforeAll(async () => {
    // A plain HTTP/2 server standing in for a frontend: it records request headers and answers UNIMPLEMENTED.
    seen = [];
    server = createServer();
    server.on('stream', (stream, headers) => {
      seen.push(headers);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  test('client and worker connections send the profile API key as a bearer token, and its gRPC metadata', async () => {
    const toml = `[profile.p]\naddress = "${address}"\napi_key = "${API_KEY}"\n[profile.p.tls]\ndisabled = true\n[profile.p.grpc_meta]\nx-team = "convo"\n`;
    const options = connectionOptions(loadConnectionConfig(await profileEnv(toml, 'p')));

    await Connection.connect({ ...options, connectTimeout: 2000 }).then(
      (c) => c.close(),
      () => undefined,
    );
    const fromClient = seen.find((h) => String(h[':path']).startsWith('/temporal.api.workflowservice'));
    expect(fromClient?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fromClient?.['x-team']).toBe('convo');

    seen.length = 0;
    await NativeConnection.connect(options).then(
      (c) => c.close(),
      () => undefined,
    );
    const fromWorker = seen.find((h) => String(h[':path']).startsWith('/temporal.api.workflowservice'));
    expect(fromWorker?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fromWorker?.['x-team']).toBe('convo');
  });
});

test('a client never reads worker-only variables; a worker refuses them when they do not parse', () => {
  const env = { HOME: home, CONVO_HUNG_AFTER_S: 'abc', CONVO_METRICS_ADDRESS: 'nowhere', CONVO_ACCOUNT: 'team' };
  const client = loadClientConfig(env);
  expect(client).toMatchObject({ temporalAddress: 'localhost:7233', taskQueue: 'convo', account: 'team' });
  expect(client).not.toHaveProperty('hungAfterMs');
  expect(() => loadWorkerConfig(env)).toThrow(/^invalid environment variable CONVO_HUNG_AFTER_S: /);
  expect(loadWorkerConfig({ HOME: home, CONVO_HUNG_AFTER_S: '30', CONVO_TASK_QUEUE: 'q' })).toMatchObject({
    hungAfterMs: 30_000,
    taskQueue: 'q',
  });
});
