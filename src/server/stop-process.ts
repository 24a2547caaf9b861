/**
 * Stopping a child process and knowing it is gone, so that whoever stops a server (a test's teardown, the dev
 * server's `stop()`) can then remove the files it wrote without racing its last writes.
 */
import type { ChildProcess } from 'node:child_process';

/** Options for {@link stopProcess}. */
export interface StopOptions {
  /** First signal; default SIGTERM (SIGKILL skips the grace period). */
  signal?: NodeJS.Signals;
  /** How long to wait for an exit after `signal` before sending SIGKILL, ms; default 5000. */
  graceMs?: number;
}

/**
 * Sends `signal` (default SIGTERM), waits for the process to exit, and sends SIGKILL if it has not after `graceMs`.
 * Resolves once it has exited (at once when it already had). Works for `spawn`'s and execa's child processes.
 * Should SIGKILL not end it within another `graceMs` (a process stuck in the kernel), it warns and resolves, so a
 * teardown never hangs; never rejects.
 */
export async function stopProcess(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs = 5000 }: StopOptions = {},
): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  if (await within(exited, graceMs)) return;
  if (signal !== 'SIGKILL') {
    child.kill('SIGKILL');
    if (await within(exited, graceMs)) return;
  }
  console.warn(`stopProcess: pid ${child.pid} did not exit ${graceMs} ms after SIGKILL; going on without it`);
}

/** Whether `child` has exited (or never started). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

/** Whether `promise` settles within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
