/** Finding the CLI processes a test left behind, from /proc (Linux). */
import { readdir, readFile } from 'node:fs/promises';

/** Process ids of the `opencode` processes whose environment names `path` (a worker's TMPDIR or a turn's folder). */
export async function opencodeProcessesIn(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (/(^|\/)opencode$/.test(cmdline.split('\0')[0]!) && environ.includes(path)) pids.push(Number(pid));
  }
  return pids;
}
