/**
 * Connection settings from a Temporal envconfig profile: the real `convo` command and a real worker reach the
 * suite's Temporal server through a TOML profile file alone (no TEMPORAL_ADDRESS in their environment).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/paths.js';
import { World, WorkerProcess, waitUntil } from '../helpers/world.js';

const CONVO_BIN = join(projectRoot, 'bin', 'convo.js');
let world: World;
let profileFile: string;
beforeAll(async () => {
  world = await World.create('profile');
  profileFile = join(world.baseDir, 'temporal.toml');
  // The default profile points nowhere, so a test that passes with it would show TEMPORAL_PROFILE being ignored.
  await writeFile(
    profileFile,
    `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.suite]\naddress = "${world.config.temporalAddress}"\nnamespace = "${world.config.namespace}"\n`,
  );
});
afterAll(async () => world?.dispose());

/** The environment of World's processes with TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE removed and the profile selected. */
function profileEnv(profile: string): Record<string, string> {
  const env = world.env({ TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: profile });
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_NAMESPACE;
  return env;
}

function convo(args: string[], env: Record<string, string>) {
  return execa('node', [CONVO_BIN, ...args], { env, extendEnv: false, reject: false });
}

test('convo list and a conversation work through TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE alone', async () => {
  const env = profileEnv('suite');
  expect(env.TEMPORAL_ADDRESS).toBeUndefined();
  const id = await world.client.start({ cwd: await world.workspace('profile'), title: 'reached through a profile' });

  const listed = await convo(['list', '--json'], env);
  expect(listed.stderr).toBe('');
  expect(listed.exitCode).toBe(0);
  expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ id, title: 'reached through a profile' }));

  // A worker configured the same way (World's startWorker always sets TEMPORAL_ADDRESS) runs the conversation's turn.
  const home = join(world.baseDir, 'by-profile', 'home');
  const tmp = join(world.baseDir, 'by-profile', 'tmp');
  await mkdir(home, { recursive: true });
  await mkdir(tmp, { recursive: true });
  const child = execa('node', [CONVO_BIN, 'worker'], { env: { ...env, HOME: home, TMPDIR: tmp }, extendEnv: false, reject: false, buffer: false });
  const worker = new WorkerProcess('by-profile', home, tmp, child);
  world.workers.push(worker);
  await waitUntil(async () => worker.output.includes('convo worker:'));
  expect(worker.output).toContain(`on ${world.config.temporalAddress} namespace ${world.config.namespace},`);
  expect((await world.client.ask(id, 'through the profile')).reply).toContain('through the profile');
});

test('a profile that does not exist is refused in one line', async () => {
  const result = await convo(['list'], profileEnv('nope'));
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim()).toBe(
    `convo: Temporal connection settings (profile nope of ${profileFile} and TEMPORAL_* variables): Profile 'nope' not found in config data`,
  );
});
