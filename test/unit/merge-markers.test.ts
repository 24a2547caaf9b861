/**
 * No file the repository tracks holds a merge conflict's markers: Prettier passes Markdown with them, and a JSON file it
 * ignores (bench-results.json) would too, so a merge resolved by hand is checked here.
 */
import { execFileSync } from 'node:child_process';
import { projectRoot } from '../../src/paths.js';

test('no tracked file holds merge conflict markers', () => {
  let found = '';
  try {
    found = execFileSync(
      'git',
      ['grep', '-n', '-I', '-E', '^(<<<<<<< |>>>>>>> |=======$)', '--', '.', ':!node_modules'],
      {
        cwd: projectRoot,
        encoding: 'utf8',
      },
    );
  } catch (err) {
    // git grep exits 1 when nothing matches.
    if ((err as { status?: number }).status !== 1) throw err;
  }
  expect(found).toBe('');
});
