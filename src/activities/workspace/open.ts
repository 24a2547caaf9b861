/**
 * Opening a run's workspace: repo mode (a checkout of the conversation's last commit) or snapshot mode (the user's
 * `cwd` when it is a git work tree).
 */
import { openRepoWorkspace } from './repo-workspace.js';
import { openSnapshotWorkspace } from './snapshot-workspace.js';
import type { OpenWorkspace, WorkspaceRun, WorkspaceSettings } from './workspace.js';

/**
 * Makes the workspace of `run` ready: repo mode checks out the conversation's last commit at
 * `<settings.dir>/<conversation id>` (fetching into the worker's clone cache); snapshot mode, for a `cwd` that is a
 * git work tree, snapshots it (or, for a retried run, first restores the files the failed run changed). Needs no
 * activity context (the turn's cancellation comes as `run.signal`).
 * @returns undefined for a `cwd` that is not a git work tree (no workspace: the turn runs there as it is).
 * @throws ApplicationFailure `WorkspaceUnavailable` (the remote cannot be reached or read, a git command failed),
 *   `PushRejected` (the conversation's branch moved on the remote since its last commit).
 */
export async function openWorkspace(
  run: WorkspaceRun,
  settings: WorkspaceSettings,
): Promise<OpenWorkspace | undefined> {
  if (run.options.repo) return openRepoWorkspace(run, settings);
  if (run.options.cwd) return openSnapshotWorkspace(run, run.options.cwd);
  return undefined;
}
