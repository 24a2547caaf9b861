/**
 * Running the `git` binary: the one way Convo reads and writes repositories (workspaces, snapshots, diffs).
 */
import { execFile } from 'node:child_process';

/** A git command that failed: its arguments (as given: redact before showing), exit code and stderr. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    super(`git ${args.slice(0, 2).join(' ')} failed (exit ${exitCode ?? 'signal'}): ${tail || 'no output'}`);
    this.name = 'GitError';
  }
}

/** How to run one git command. */
export interface GitOptions {
  /** Directory git runs in (`-C`); default the process's. */
  cwd?: string;
  /** git's whole environment; default the process's. `GIT_TERMINAL_PROMPT=0` is always added: never ask. */
  env?: NodeJS.ProcessEnv;
  /** Written to git's stdin. */
  input?: string;
  /** Ends git (SIGTERM) when aborted. */
  signal?: AbortSignal;
  /** Largest stdout kept, bytes (default 256 MiB: diffs of large changes). */
  maxBuffer?: number;
}

/**
 * Runs `git <args>` and returns its stdout (UTF-8).
 * @throws GitError when git exits non-zero or cannot start; an `AbortError` when `signal` aborted it.
 */
export function git(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' },
        signal: options.signal,
        maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const error: Error = err;
        if (error.name === 'AbortError') return reject(error);
        const code = typeof err.code === 'number' ? err.code : null;
        reject(new GitError(args, code, stderr || err.message));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
