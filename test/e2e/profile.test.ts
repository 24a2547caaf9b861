/**
 * Connection settings from a Temporal envconfig profile: the real `convo` command and a real worker reach the
 * suite's Temporal server through a TOML profile file alone (no TEMPORAL_ADDRESS in their environment).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { World } from '../helpers/world.js';

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

/** World's environment for its processes, with TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE removed and the profile selected. */
const profileVars = (profile: string) => ({
  TEMPORAL_CONFIG_FILE: profileFile,
  TEMPORAL_PROFILE: profile,
  TEMPORAL_ADDRESS: undefined,
  TEMPORAL_NAMESPACE: undefined,
});

test('convo list and a conversation work through TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE alone', async () => {
  expect(world.env(profileVars('suite')).TEMPORAL_ADDRESS).toBeUndefined();
  const id = await world.client.start({ cwd: await world.workspace('profile'), title: 'reached through a profile' });

  const listed = await world.convo(['list', '--json'], undefined, profileVars('suite'));
  expect(listed.stderr).toBe('');
  expect(listed.exitCode).toBe(0);
  expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ id, title: 'reached through a profile' }));

  // A worker configured the same way runs the conversation's turn.
  const worker = await world.startWorker('by-profile', profileVars('suite'));
  expect(worker.output).toContain(`on ${world.config.temporalAddress} namespace ${world.config.namespace},`);
  expect((await world.client.ask(id, 'through the profile')).reply).toContain('through the profile');
});

test('a profile that does not exist is refused in one line', async () => {
  const result = await world.convo(['list'], undefined, profileVars('nope'));
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim()).toBe(
    `convo: Temporal connection settings (profile nope of ${profileFile} and TEMPORAL_* variables): Profile 'nope' not found in config data`,
  );
});
