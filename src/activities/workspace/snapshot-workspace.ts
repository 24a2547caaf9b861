/**
 * Snapshot mode: the user's own work tree (`cwd` option, when it is a git work tree). Convo keeps its snapshots as
 * refs of the user's repository, under `refs/convo/<conversation id>/` (N is the 1-based turn):
 * - `start-N`: the work tree when turn N's first run began (never moved);
 * - `resume-N`: what a later run of turn N restores the work tree to first (`start-N`, then the snapshot a paused
 *   run left);
 * - `turn-N`: the work tree after turn N.
 * The user's HEAD, index, stash and branches are never touched.
 */
import { CONVERSATION_TRAILER, TURN_TRAILER } from '../../common/workspace.js';
import { hasCommit } from './commits.js';
import { workspaceUnavailable } from './failures.js';
import { safeConversationId } from './ids.js';
import { numstat } from './numstat.js';
import { findWorkTree, restoreTo, snapshot, type WorkTree } from './snapshot.js';
import type { OpenWorkspace, WorkspaceChange, WorkspaceRun } from './workspace.js';
import { workspaceGit, type WorkspaceGit } from './workspace-git.js';

/** The refs of turn `turn` (1-based) of a conversation in the user's repository. */
export function snapshotRefs(conversationId: string, turn: number): { start: string; resume: string; turn: string } {
  const prefix = `refs/convo/${conversationId}`;
  return { start: `${prefix}/start-${turn}`, resume: `${prefix}/resume-${turn}`, turn: `${prefix}/turn-${turn}` };
}

/**
 * Opens a snapshot-mode run's workspace in `cwd`. A run of a turn that ran before (`resume-N` exists: a retry, or the
 * continuation of a paused run) first restores the work tree's files to `resume-N`; a fork's first turn
 * (`run.workspace.head`) first restores them to the fork's snapshot. A turn's first run then snapshots the work tree
 * as `start-N` and `resume-N`.
 * @returns undefined when `cwd` is not in a git work tree (no workspace); else the workspace, whose `save` snapshots
 *   the work tree (`turn-N`, or `resume-N` for a paused run) and whose `release` does nothing.
 * @throws ApplicationFailure `WorkspaceUnavailable` (a git command failed, the fork's snapshot is not in the
 *   repository; non-retryable: a conversation id that cannot name a ref).
 */
export async function openSnapshotWorkspace(run: WorkspaceRun, cwd: string): Promise<OpenWorkspace | undefined> {
  const g = workspaceGit(run.env, run.signal);
  const wt = await findWorkTree(g, cwd);
  if (!wt) return undefined;
  const id = safeConversationId(run.conversationId);
  const turn = run.turnIndex + 1;
  const refs = snapshotRefs(id, turn);
  const message = (what: string): string =>
    `convo snapshot: turn ${turn} ${what}\n\n${CONVERSATION_TRAILER}: ${id}\n${TURN_TRAILER}: ${turn}\n`;

  let start: string;
  const resume = await readRef(g, wt, refs.resume);
  if (resume) {
    const now = await snapshot(g, wt, message('before a restore'));
    await restoreTo(g, wt, now.tree, resume);
    start = (await readRef(g, wt, refs.start)) ?? resume;
  } else {
    const head = run.workspace?.head;
    if (head) {
      if (!(await hasCommit(g, wt.top, head))) {
        throw workspaceUnavailable(`the fork's snapshot ${head} is not in the repository of ${cwd}`);
      }
      const now = await snapshot(g, wt, message('before the fork'));
      await restoreTo(g, wt, now.tree, head);
    }
    start = (await snapshot(g, wt, message('start'))).commit;
    await g.run(['update-ref', refs.start, start], { cwd: wt.top });
    await g.run(['update-ref', refs.resume, start], { cwd: wt.top });
  }

  return {
    cwd,
    save: ({ paused }) =>
      saveSnapshot(g, wt, start, paused ? refs.resume : refs.turn, message(paused ? 'paused' : 'end')),
    release: async () => undefined,
  };
}

/** Snapshots the work tree as `ref` and reports the change since `start`. */
async function saveSnapshot(
  g: WorkspaceGit,
  wt: WorkTree,
  start: string,
  ref: string,
  message: string,
): Promise<WorkspaceChange> {
  const after = await snapshot(g, wt, message);
  await g.run(['update-ref', ref, after.commit], { cwd: wt.top });
  const startTree = (await g.run(['rev-parse', `${start}^{tree}`], { cwd: wt.top })).trim();
  const changed = after.tree !== startTree;
  return {
    from: start,
    ...(changed && { commit: after.commit }),
    files: changed ? await numstat(g, wt.top, start, after.commit) : [],
  };
}

/** The commit `ref` points at, undefined when it does not exist. */
async function readRef(g: WorkspaceGit, wt: WorkTree, ref: string): Promise<string | undefined> {
  const out = await g.attempt(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: wt.top });
  return typeof out === 'string' ? out.trim() : undefined;
}
