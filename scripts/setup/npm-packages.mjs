// Setup step: the npm packages, when node_modules is missing or older than package-lock.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { must, mtime, root } from './lib.mjs';

/**
 * Installs the npm packages with `npm install --no-save`, which follows the lock file (`npm ci` refuses a lock that
 * lacks platform packages a registry mirror does not serve). Skipped when node_modules is newer than the lock file.
 */
export function installNpmPackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && mtime(join(root, 'package-lock.json')) <= mtime(marker)) return;
  console.error('setup: installing npm packages');
  must('npm', ['install', '--no-save', '--no-audit', '--no-fund'], 'npm install');
}
