/**
 * The shapes of a conversation's workspace: the files the agent reads and edits, carried from turn to turn and from
 * worker to worker. Deterministic: imported by workflow code.
 *
 * Two modes:
 * - **repo** (`repo` option): the conversation owns a branch of a git remote. Every run of a turn checks out the
 *   conversation's last commit under the worker's `CONVO_WORKSPACES_DIR` (named by the conversation id), and a run
 *   that changed files ends with one commit, pushed to the branch.
 * - **snapshot** (`cwd` option, when the directory is a git work tree): the user's own work tree. Convo snapshots it
 *   before and after each turn as commits under `refs/convo/<conversation id>/`, never touching the user's branch,
 *   index or stash, and a retried run first restores the files the failed run changed.
 * A `cwd` that is not a git work tree has no workspace: the turn runs there as it is.
 */
import { z } from 'zod';

/** A git branch name Convo accepts (`git check-ref-format --branch`, simplified): no spaces, `..`, `~^:?*[\`. */
export const BRANCH_NAME = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$|.*@\{)[^\s~^:?*[\\]+$/;

/** Trailer naming the conversation in the commit a turn makes. */
export const CONVERSATION_TRAILER = 'Convo-Conversation';
/** Trailer naming the turn (1-based, as people count them) in the commit a turn makes. */
export const TURN_TRAILER = 'Convo-Turn';

/** The branch a repo-mode conversation owns when it names none. */
export function defaultBranch(conversationId: string): string {
  return `convo/${conversationId}`;
}

/** Where a fork starts: the source conversation, its turn (0-based index) and that turn's workspace commit. */
export const ForkOrigin = z.strictObject({
  conversationId: z.string().min(1),
  /** Index of the source's turn the fork continues from (0-based). */
  turn: z.number().int().min(0),
  /** The source's commit (repo mode) or snapshot (`--cwd` mode) after that turn; absent when it had no workspace. */
  commit: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .optional(),
  /** Repo mode: the source's branch, which holds `commit` (what a worker fetches to find it). */
  branch: z.string().regex(BRANCH_NAME).optional(),
});
export type ForkOrigin = z.infer<typeof ForkOrigin>;

/** One file a turn changed: its path in the work tree and lines added and removed (`git diff --numstat`; a binary
 * file counts -1 for both). */
export interface FileChange {
  path: string;
  added: number;
  removed: number;
}

/**
 * What the workflow tells a turn's run about the workspace (`TurnInput.workspace`). Absent for conversations without
 * one, and for a `--cwd` conversation that is not a fork's first turn (the worker finds the work tree itself).
 */
export interface TurnWorkspace {
  /**
   * Repo mode: the commit this run starts from (the conversation's last commit). Absent on a conversation's first
   * run: the worker starts from the branch's tip when the branch exists on the remote, else from `base` (default the
   * remote's default branch). Snapshot mode: a fork's starting snapshot, to restore the work tree to before its first
   * turn.
   */
  head?: string;
  /** Repo mode: a branch of the remote that holds `head` (the conversation's own, or a fork source's), fetched. */
  headRef?: string;
  /**
   * Repo mode, a run that continues a turn paused at a tool call: the commit the turn's first run started from. The
   * turn still ends with one commit on the branch, whose parent is this one (it replaces the paused run's commit).
   */
  turnFrom?: string;
}

/** What a run did to the workspace (`TurnResult.workspace`). */
export interface WorkspaceChange {
  /** The commit (repo) or snapshot (`--cwd`) the run started from. */
  from: string;
  /**
   * Repo mode: the commit the run made and pushed to the branch, absent when it changed nothing. Snapshot mode: the
   * snapshot after the run (`refs/convo/<id>/turn-<N>`), absent when it changed nothing.
   */
  commit?: string;
  /** Repo mode: what the next run starts from (`commit`, else `from`) and a branch of the remote holding it. */
  head?: string;
  headRef?: string;
  /** The files the run changed, in path order. */
  files: FileChange[];
}

/**
 * A turn's workspace as the turn record keeps it (`TurnRecord.workspace`), over all of the turn's runs (a turn that
 * paused at tool calls runs more than once; its last run reports the whole turn's change).
 */
export interface TurnWorkspaceRecord {
  /** What the turn's first run started from. */
  from: string;
  /** The turn's commit (repo) or its snapshot after (`--cwd`); absent when the turn changed nothing. */
  commit?: string;
  /** The files the turn changed, from `from` to `commit`. */
  files: FileChange[];
}
