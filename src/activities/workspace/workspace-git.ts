/**
 * git as workspace code runs it: the worker's environment without the variables that would point git at another
 * repository, English messages, the turn's cancellation, and failures as `WorkspaceUnavailable` with redacted
 * messages.
 */
import { gitFailure, type Redact } from './failures.js';
import { git, GitError } from './git.js';

/** How one command runs: where, with what more environment, what on stdin. */
export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

/** git for one run of a turn. */
export interface WorkspaceGit {
  /**
   * Runs `git <args>`; resolves to its stdout.
   * @throws ApplicationFailure `WorkspaceUnavailable` (retryable) when git fails: the command and its stderr's tail,
   *   redacted; an `AbortError` when the run was cancelled.
   */
  run(args: readonly string[], options?: CommandOptions): Promise<string>;
  /** Like {@link run}, but a command that fails resolves to its {@link GitError} (not redacted: redact before
   * showing it), for callers that look at why. */
  attempt(args: readonly string[], options?: CommandOptions): Promise<string | GitError>;
  /** The redactor failures go through. */
  redact: Redact;
}

/** Variables that make git use another repository, index or object store than the one it runs in. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/**
 * A {@link WorkspaceGit} for one run.
 * @param env the worker's environment (credential helpers, SSH agent, `GIT_AUTHOR_*`).
 * @param signal ends running git commands (they then reject with an `AbortError`, passed on as it is).
 * @param redact applied to the command and stderr of a failure.
 */
export function workspaceGit(env: NodeJS.ProcessEnv, signal?: AbortSignal, redact: Redact = (t) => t): WorkspaceGit {
  const base: NodeJS.ProcessEnv = { ...env, LC_ALL: 'C', LANGUAGE: 'C' };
  for (const name of REPOSITORY_VARIABLES) delete base[name];
  const exec = (args: readonly string[], options: CommandOptions = {}): Promise<string> =>
    git(args, {
      cwd: options.cwd,
      env: options.env ? { ...base, ...options.env } : base,
      input: options.input,
      signal,
    });
  return {
    redact,
    run: async (args, options) => {
      try {
        return await exec(args, options);
      } catch (err) {
        throw gitFailure(err, redact);
      }
    },
    attempt: async (args, options) => {
      try {
        return await exec(args, options);
      } catch (err) {
        if (err instanceof GitError) return err;
        throw err;
      }
    },
  };
}
