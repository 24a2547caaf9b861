/**
 * A CLI process that stays alive between turns: it reads one message per turn on stdin (kept open) and prints that
 * turn's events on stdout, the last of them recognised by the caller (Claude Code `--input-format stream-json`: a
 * `result` event). Like a turn's process (`../turn/process.ts`) it runs in a process group of its own, so that ending
 * it ends its tools and MCP servers too.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { descendants, killGroup, killPid, type ChildExit } from '../turn/process.js';

/** How a live process is started. */
export interface LiveProcessOptions {
  cwd: string;
  /** Its whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  /** ms between SIGTERM and SIGKILL when it is ended; default 5000. */
  killGraceMs?: number;
  /** bytes of stderr kept per turn; default 4096. */
  stderrLimit?: number;
}

/** What one turn on a live process is given. */
export interface LiveTurnOptions {
  /** Called for every stdout line of the turn, in order. */
  onLine: (line: string) => void;
  /** Whether `line` (already given to `onLine`) is the turn's last. */
  isEnd: (line: string) => boolean;
  /** Aborting it ends the process (SIGTERM to its group and tree, SIGKILL after the grace); the turn then resolves
   * with the exit. */
  signal: AbortSignal;
}

/** A live CLI process. Start with {@link LiveProcess.start}. */
export class LiveProcess {
  /** Resolves once the process has exited and its stdout is read to the end. */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private stderr = '';
  private turn: { options: LiveTurnOptions; done: (exit: ChildExit) => void } | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly tree = new Set<number>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: LiveProcessOptions,
  ) {
    const limit = options.stderrLimit ?? 4096;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-limit)));
    // A process that died leaves a closed pipe: writing to it fails, and the turn ends with the exit.
    child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => this.line(line));
    const linesDone = new Promise<void>((resolve) => lines.once('close', resolve));
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err) => (spawnError = err));
    this.exited = new Promise<ChildExit>((resolve) => {
      child.once('close', (code, signal) => {
        void linesDone.then(() => {
          clearTimeout(this.killTimer);
          // Tools the CLI started in its group or tree must not outlive it.
          if (child.pid) killGroup(child.pid, 'SIGKILL');
          for (const pid of this.tree) killPid(pid, 'SIGKILL');
          this.exit = {
            exitCode: code,
            signal,
            stderrTail: this.stderr,
            ...(spawnError && !child.pid ? { spawnError, exitCode: null } : {}),
          };
          this.turn?.done(this.exit);
          this.turn = undefined;
          resolve(this.exit);
        });
      });
    });
  }

  /**
   * Starts `file args` in `options.cwd`, in a process group of its own, with stdin kept open. Never rejects: a process
   * that cannot start resolves {@link exited} with `spawnError`.
   */
  static start(file: string, args: string[], options: LiveProcessOptions): LiveProcess {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: 'pipe' });
    return new LiveProcess(child, options);
  }

  /** The process id (also its group's id); undefined when it did not start. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited (or was asked to end). */
  get alive(): boolean {
    return this.exit === undefined && this.killTimer === undefined;
  }

  /** True while a turn runs on it. */
  get busy(): boolean {
    return this.turn !== undefined;
  }

  /**
   * Runs one turn: writes `message` to stdin and resolves once `options.isEnd` recognises a line (exit code 0, the
   * turn's stderr), or with the process's own exit when it ends first (killed, crashed, or ended by the signal).
   * @throws Error when a turn already runs on it.
   */
  run(message: string, options: LiveTurnOptions): Promise<ChildExit> {
    if (this.turn) throw new Error('a turn already runs on this process');
    if (this.exit) return Promise.resolve(this.exit);
    this.stderr = '';
    return new Promise<ChildExit>((resolve) => {
      const onAbort = (): void => void this.end();
      const done = (exit: ChildExit): void => {
        options.signal.removeEventListener('abort', onAbort);
        resolve(exit);
      };
      this.turn = { options, done };
      if (options.signal.aborted) return void this.end();
      options.signal.addEventListener('abort', onAbort, { once: true });
      this.child.stdin.write(message);
    });
  }

  /**
   * Ends the process: SIGTERM to its group and tree, SIGKILL after the grace. Resolves once it has exited.
   */
  end(): Promise<ChildExit> {
    if (this.exit || this.killTimer || !this.child.pid) return this.exited;
    const pid = this.child.pid;
    const killAll = (signal: NodeJS.Signals): void => {
      for (const child of descendants(pid)) this.tree.add(child);
      killGroup(pid, signal);
      for (const child of this.tree) killPid(child, signal);
    };
    killAll('SIGTERM');
    this.killTimer = setTimeout(() => killAll('SIGKILL'), this.options.killGraceMs ?? 5000);
    return this.exited;
  }

  private line(line: string): void {
    const turn = this.turn;
    // Between turns there is nothing to read (the CLI prints only while it works): such a line is dropped.
    if (!turn) return;
    turn.options.onLine(line);
    if (!turn.options.isEnd(line)) return;
    this.turn = undefined;
    turn.done({ exitCode: 0, signal: null, stderrTail: this.stderr });
  }
}
