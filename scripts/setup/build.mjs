// Setup step: the TypeScript build and the prebuilt workflow bundle.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, mtime, newestUnder, root } from './lib.mjs';

/** Runs `npm run build` when a source file, tsconfig.json or the lock file is newer than the last build's stamp
 * (`dist/.build-stamp`). */
export function build() {
  const stamp = join(root, 'dist', '.build-stamp');
  const sources = Math.max(
    newestUnder(join(root, 'src')),
    mtime(join(root, 'tsconfig.json')),
    mtime(join(root, 'package-lock.json')),
  );
  if (sources <= mtime(stamp)) return;
  console.error('setup: building');
  must('npm', ['run', '--silent', 'build'], 'build');
  writeFileSync(stamp, new Date().toISOString());
}
