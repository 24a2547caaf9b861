/**
 * The workspace of one run of a turn (see `../../common/workspace.ts` for the two modes): made ready before the CLI
 * runs ({@link openWorkspace}), saved after it ran ({@link OpenWorkspace.save}).
 */
import type { ConversationOptions } from '../../common/conversation.js';
import type { TurnWorkspace, WorkspaceChange } from '../../common/workspace.js';
import type { WorkspaceSettings } from '../../config/worker.js';

/** One run of a turn, as its workspace needs it. */
export interface WorkspaceRun {
  conversationId: string;
  /** 0-based; the commit trailer and messages say `turnIndex + 1`. */
  turnIndex: number;
  prompt: string;
  options: Pick<ConversationOptions, 'cwd' | 'repo' | 'branch' | 'base'>;
  workspace?: TurnWorkspace;
  /** The worker's environment: `${VAR}` references in `repo` are expanded from it; git runs with it (credential
   * helpers, SSH agent). */
  env: NodeJS.ProcessEnv;
  /** Aborted when the turn is cancelled: git processes end with it. */
  signal?: AbortSignal;
}

/** A workspace ready for a run. */
export interface OpenWorkspace {
  /** The absolute path the CLI runs in. */
  cwd: string;
  /**
   * Saves what the run changed: repo mode commits everything (tracked and untracked, `.gitignore` respected) as one
   * commit (`turn N: <prompt excerpt>`, trailers {@link CONVERSATION_TRAILER} and {@link TURN_TRAILER}) and pushes it
   * to the branch; snapshot mode records the work tree under `refs/convo/<id>/turn-<N>`.
   * @param paused the run paused at a tool call: the turn goes on in a later run.
   * @throws ApplicationFailure `PushRejected` (the remote refused: someone else moved the branch),
   *   `WorkspaceUnavailable` (a git command failed, the remote cannot be reached).
   */
  save(run: { paused: boolean }): Promise<WorkspaceChange>;
  /** Ends the run's use of the workspace (locks, cache bound). Never throws. */
  release(): Promise<void>;
}

export type { TurnWorkspace, WorkspaceChange, WorkspaceSettings };
