/** Finding the CLI processes a test left behind, from /proc (Linux). */
import { readdir, readFile } from 'node:fs/promises';

/**
 * Process ids of the CLI processes named `binary` (`claude`, `opencode`: the executable's file name) whose
 * environment names `path` (a worker's TMPDIR or a turn's folder).
 */
export async function cliProcessesIn(path: string, binary: string): Promise<number[]> {
  const name = new RegExp(`(^|/)${binary}$`);
  const pids: number[] = [];
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (name.test(cmdline.split('\0')[0]!) && environ.includes(path)) pids.push(Number(pid));
  }
  return pids;
}

/** Process ids of the `opencode` processes whose environment names `path`. */
export async function opencodeProcessesIn(path: string): Promise<number[]> {
  return cliProcessesIn(path, 'opencode');
}
