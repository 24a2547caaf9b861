// Setup step: Chromium, for the Web UI browser test (playwright-core drives it; it downloads no browser).
import { existsSync } from 'node:fs';
import { fail, onPath, run } from './lib.mjs';

/**
 * Installs Debian's `chromium` package through apt-get (as root, or with passwordless sudo), unless CHROME_PATH names
 * an existing file or a `chromium` is on PATH.
 */
export function installChromium() {
  if ((process.env.CHROME_PATH && existsSync(process.env.CHROME_PATH)) || onPath('chromium')) return;
  console.error('setup: installing Debian chromium (for the Web UI browser test)');
  const [cmd, ...pre] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const apt = (...args) => run(cmd, [...pre, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const install = () => apt('install', '-y', '--no-install-recommends', 'chromium');
  if (!install() && !(apt('update') && install())) {
    fail('could not install chromium with apt-get; install it, or set CHROME_PATH to a Chromium');
  }
}
