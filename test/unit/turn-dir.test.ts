import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBackendCli } from '../../src/activities/backends/registry.js';
import { makeTurnDir, removeStaleTurnDirs, removeTurnDir } from '../../src/activities/turn/turn-dir.js';

test('a worker removes the turn dirs of dead workers and keeps live ones', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'convo-stale-'));
  try {
    const mine = await makeTurnDir(parent);
    // A pid far above the kernel's pid_max: no process has it.
    await mkdir(join(parent, 'convo-turn-99999999-abc', 'projects'), { recursive: true });
    await mkdir(join(parent, 'unrelated'));
    const removed = await removeStaleTurnDirs(parent, isBackendCli);
    expect(removed).toEqual([join(parent, 'convo-turn-99999999-abc')]);
    expect((await readdir(parent)).sort()).toEqual([mine.split('/').at(-1), 'unrelated'].sort());
    await removeTurnDir(mine);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
