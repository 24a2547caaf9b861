/**
 * Running a CLI as a child process: its own process group (so cancellation kills every process it started, tools
 * included), stdout read line by line as it comes, stderr kept bounded.
 */
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';

/** How a child process ended. */
export interface ChildExit {
  exitCode: number | null;
  signal: string | null;
  /** The last bytes of stderr (at most `stderrLimit`). */
  stderrTail: string;
  /** Set when the process could not start at all (e.g. ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
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
  /** ms between SIGTERM and SIGKILL; default 5000. */
  killGraceMs?: number;
  /** bytes of stderr to keep; default 4096. */
  stderrLimit?: number;
  /** Called with the child's pid (also its process group id) once it has started. */
  onSpawn?: (pid: number) => void;
}

/**
 * Runs `file args` to completion. Never rejects for a non-zero exit; reports it in the result.
 */
export async function runChild(file: string, args: string[], options: RunChildOptions): Promise<ChildExit> {
  const stderrLimit = options.stderrLimit ?? 4096;
  const child: ResultPromise = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    input: options.stdin,
    detached: true,
    reject: false,
    buffer: false,
    stripFinalNewline: false,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (child.pid) options.onSpawn?.(child.pid);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrLimit);
  });
  const lines = child.stdout ? createInterface({ input: child.stdout, crlfDelay: Infinity }) : undefined;
  lines?.on('line', options.onLine);
  const linesDone = new Promise<void>((resolve) => (lines ? lines.once('close', resolve) : resolve()));

  let killTimer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    killGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 5000);
  };
  if (options.signal.aborted) kill();
  else options.signal.addEventListener('abort', kill, { once: true });
  try {
    const result = await child;
    await linesDone;
    const ended = result as { cause?: unknown; exitCode?: number; signal?: string };
    const spawnError =
      ended.exitCode === undefined && ended.signal === undefined && ended.cause instanceof Error
        ? (ended.cause as NodeJS.ErrnoException)
        : undefined;
    return { exitCode: ended.exitCode ?? null, signal: ended.signal ?? null, stderrTail: stderr, spawnError };
  } finally {
    options.signal.removeEventListener('abort', kill);
    if (killTimer) clearTimeout(killTimer);
    // Tools the CLI started may still run in its process group after it exited; they must not outlive the turn.
    killGroup(child.pid, 'SIGKILL');
  }
}

/** Sends `signal` to the whole process group led by `pid`; ignores a group that is already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to kill.
  }
}
