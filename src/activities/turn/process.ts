/**
 * Running a CLI as a child process: its own process group (so cancellation kills every process it started, tools
 * included), stdout read line by line as it comes (from a pipe, or from a file the child writes), stderr kept bounded.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { execa, type ResultPromise } from 'execa';

/** How a child process ended. */
export interface ChildExit {
  exitCode: number | null;
  signal: string | null;
  /** The last bytes of stderr (at most `stderrLimit`). */
  stderrTail: string;
  /** Set when the process could not start at all (e.g. ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
  /** Set when it was killed because it ran past `timeoutMs`. */
  timedOut?: boolean;
}

/** Options for {@link runChild}. */
export interface RunChildOptions {
  cwd: string;
  /** The child's whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  /** Written to stdin, then stdin is closed. */
  stdin: string;
  /** Called for every stdout line, in order. */
  onLine: (line: string) => void;
  /** Aborting it kills the process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  /** Kill the process group the same way after this long, ms (then `timedOut` is set). Default: no bound. */
  timeoutMs?: number;
  /** ms between SIGTERM and SIGKILL; default 5000. */
  killGraceMs?: number;
  /** bytes of stderr to keep; default 4096. */
  stderrLimit?: number;
  /** Called with the child's pid (also its process group id) once it has started. */
  onSpawn?: (pid: number) => void;
  /**
   * Send stdout to this file instead of a pipe, and read its lines from the file as the child writes them (polled
   * every 50 ms, and to the end once the child has exited). For CLIs that lose output written to a pipe when they
   * exit (opencode: see the reference design's note on 64 KiB pipe truncation). The file is created (truncated) here;
   * the caller deletes it.
   */
  stdoutFile?: string;
}

/**
 * Runs `file args` to completion. Never rejects for a non-zero exit; reports it in the result.
 */
export async function runChild(file: string, args: string[], options: RunChildOptions): Promise<ChildExit> {
  const stderrLimit = options.stderrLimit ?? 4096;
  if (options.stdoutFile) await writeFile(options.stdoutFile, '');
  const child: ResultPromise = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    input: options.stdin,
    detached: true,
    reject: false,
    buffer: false,
    stripFinalNewline: false,
    stdout: options.stdoutFile ? { file: options.stdoutFile, append: true } : 'pipe',
    stderr: 'pipe',
  });
  if (child.pid) options.onSpawn?.(child.pid);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrLimit);
  });
  let exited = false;
  let linesDone: Promise<void>;
  if (options.stdoutFile) {
    linesDone = tailLines(options.stdoutFile, options.onLine, () => exited);
  } else {
    const lines = child.stdout ? createInterface({ input: child.stdout, crlfDelay: Infinity }) : undefined;
    lines?.on('line', options.onLine);
    linesDone = new Promise<void>((resolve) => (lines ? lines.once('close', resolve) : resolve()));
  }

  let killTimer: NodeJS.Timeout | undefined;
  // Processes the CLI started in groups of their own (opencode runs its tools so) are found by walking the process
  // tree before the CLI dies, when they still are its descendants.
  const tree = new Set<number>();
  const killAll = (signal: NodeJS.Signals): void => {
    if (!child.pid) return;
    for (const pid of descendants(child.pid)) tree.add(pid);
    killGroup(child.pid, signal);
    for (const pid of tree) killPid(pid, signal);
  };
  const kill = (): void => {
    if (killTimer) return;
    killAll('SIGTERM');
    killTimer = setTimeout(() => killAll('SIGKILL'), options.killGraceMs ?? 5000);
  };
  if (options.signal.aborted) kill();
  else options.signal.addEventListener('abort', kill, { once: true });
  // A timer of its own rather than AbortSignal.any(), whose dependent signals Node has been known to lose to GC.
  let timedOut = false;
  const deadline =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs);
  try {
    const result = await child.finally(() => (exited = true));
    await linesDone;
    const ended = result as { cause?: unknown; exitCode?: number; signal?: string };
    const spawnError =
      ended.exitCode === undefined && ended.signal === undefined && ended.cause instanceof Error
        ? (ended.cause as NodeJS.ErrnoException)
        : undefined;
    return {
      exitCode: ended.exitCode ?? null,
      signal: ended.signal ?? null,
      stderrTail: stderr,
      spawnError,
      ...(timedOut ? { timedOut } : {}),
    };
  } finally {
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', kill);
    if (killTimer) clearTimeout(killTimer);
    // Tools the CLI started may still run in its process group after it exited; they must not outlive the turn.
    killGroup(child.pid, 'SIGKILL');
    for (const pid of tree) killPid(pid, 'SIGKILL');
  }
}

/**
 * Reads `path` as it grows and calls `onLine` for each complete line (UTF-8, `\n`-separated; a last line without a
 * newline is delivered at the end). Polls every 50 ms until `finished()` is true, then reads to the end.
 */
async function tailLines(path: string, onLine: (line: string) => void, finished: () => boolean): Promise<void> {
  const handle = await open(path, 'r');
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  let pending = '';
  try {
    for (;;) {
      const done = finished();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        pending += decoder.write(buffer.subarray(0, bytesRead));
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
        continue;
      }
      if (done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    pending += decoder.end();
    if (pending) onLine(pending);
  } finally {
    await handle.close();
  }
}

/**
 * Every descendant of `root` (children, their children, …), from `/proc/<pid>/stat` (Linux). Empty where there is no
 * `/proc`.
 */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last `)`.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Sends `signal` to `pid`; ignores a process that is already gone. */
export function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/** Sends `signal` to the whole process group led by `pid`; ignores a group that is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid) killPid(-pid, signal);
}
