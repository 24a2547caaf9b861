/**
 * The worker's seed of Claude Code's global config, for turns whose worker user has none: it keeps only the keys that
 * describe the install (never a project's settings, history or costs), and the user's own config wins.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSeed, linkUserClaudeConfig } from '../../src/activities/backends/claude/config-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convo-seed-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const written = {
  firstStartTime: '2026-11-30T08:10:46.424Z',
  migrationVersion: 15,
  userID: 'u-1',
  projects: { '/home/me/app': { history: [{ display: 'a secret prompt' }], lastCost: 1.5 } },
  lastSessionId: 'abc',
};

test('the seed keeps only the install keys of the config a turn left, and is written where there is no config', async () => {
  const first = await mkdtemp(join(dir, 'turn-'));
  await writeFile(join(first, '.claude.json'), JSON.stringify(written));
  const seed = new ConfigSeed();
  await seed.learn(first);
  const next = await mkdtemp(join(dir, 'turn-'));
  await linkUserClaudeConfig(next, { dir: join(dir, 'no-user'), globalConfig: join(dir, 'no-user.json') }, seed);
  expect(JSON.parse(await readFile(join(next, '.claude.json'), 'utf8'))).toEqual({
    firstStartTime: '2026-11-30T08:10:46.424Z',
    migrationVersion: 15,
    userID: 'u-1',
  });

  // A user's own global config wins.
  const user = join(dir, 'user.json');
  await writeFile(user, '{"mine":true}');
  const third = await mkdtemp(join(dir, 'turn-'));
  await linkUserClaudeConfig(third, { dir: join(dir, 'no-user'), globalConfig: user }, seed);
  expect(await readFile(join(third, '.claude.json'), 'utf8')).toBe('{"mine":true}');
});

test('a config that does not parse, or none, teaches nothing', async () => {
  const seed = new ConfigSeed();
  const broken = await mkdtemp(join(dir, 'turn-'));
  await writeFile(join(broken, '.claude.json'), '{not json');
  await seed.learn(broken);
  await seed.learn(await mkdtemp(join(dir, 'turn-')));
  const next = await mkdtemp(join(dir, 'turn-'));
  await seed.write(next);
  await expect(readFile(join(next, '.claude.json'), 'utf8')).rejects.toThrow(/ENOENT/);
});
