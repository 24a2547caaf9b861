/**
 * Teardown that cannot fail a suite whose tests passed: stop what a test started (waiting for the exit, see
 * src/server/stop-process.ts), then remove what it wrote, retrying while late writers finish, and only warn if that
 * still fails.
 */
import { rm } from 'node:fs/promises';

export { stopProcess } from '../../src/server/stop-process.js';

/**
 * Removes `path` recursively (a missing path is fine). Retries for about two seconds on ENOTEMPTY, EBUSY and EPERM
 * (a process that wrote there may still be closing its files); then warns on the console and resolves.
 */
export async function removeDir(path: string | undefined): Promise<void> {
  if (!path) return;
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 40 });
  } catch (err) {
    console.warn(`teardown: could not remove ${path}: ${(err as Error).message}`);
  }
}
