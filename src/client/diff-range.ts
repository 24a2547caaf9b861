/**
 * Which two commits `convo diff` compares, from a conversation's turn records (`TurnRecord.workspace`): one turn's
 * `from`..`commit`, or the whole conversation's, from its first recorded turn's `from` to its last commit.
 */
import type { ConversationState } from '../common/conversation.js';
import { ConvoError } from './errors.js';

/** The commits (repo mode) or snapshots (`--cwd`) to compare; `to` is absent when nothing changed. */
export interface DiffRange {
  /** The turn (1-based) the range is of; absent for the whole conversation. */
  turn?: number;
  from?: string;
  to?: string;
}

/**
 * The range of turn `turn` (1-based, as people count turns), or of the whole conversation when `turn` is absent.
 * A turn that changed no files, a compaction that recorded nothing, and a conversation with no completed turn yet
 * give a range without `to`.
 * @throws ConvoError `InvalidOptions` (no such turn, a turn not completed), `NoWorkspace` (the conversation's turns
 *   recorded no workspace: a cwd that is not a git work tree, or turns from before workspaces).
 */
export function diffRange(state: ConversationState, turn?: number): DiffRange {
  const records = state.turns.filter((t) => t.workspace);
  const noWorkspace = () =>
    new ConvoError(
      'NoWorkspace',
      `conversation ${state.id} has no workspace: ${state.repo || state.options.repo ? 'its turns ran before workspaces were recorded' : 'its cwd is not a git work tree (or its turns ran before workspaces were recorded)'}`,
    );
  if (turn === undefined) {
    if (records.length === 0) {
      if (state.turns.some((t) => t.status === 'completed' && t.kind !== 'compact')) throw noWorkspace();
      return {};
    }
    const to = [...records].reverse().find((t) => t.workspace!.commit)?.workspace!.commit;
    return { from: records[0]!.workspace!.from, to };
  }
  if (!Number.isSafeInteger(turn) || turn < 1) {
    throw new ConvoError('InvalidOptions', `turn must be a whole number from 1, not ${turn}`);
  }
  const record = state.turns[turn - 1];
  if (!record) {
    const count = `${state.turns.length} turn${state.turns.length === 1 ? '' : 's'}`;
    throw new ConvoError('InvalidOptions', `conversation ${state.id} has no turn ${turn} (it has ${count})`);
  }
  if (record.workspace) return { turn, from: record.workspace.from, to: record.workspace.commit };
  if (record.status === 'failed') {
    throw new ConvoError('InvalidOptions', `turn ${turn} failed: the changes of a failed turn are not kept`);
  }
  if (record.status !== 'completed') {
    throw new ConvoError('InvalidOptions', `turn ${turn} is ${record.status}: its changes are recorded when it ends`);
  }
  if (record.kind === 'compact') return { turn };
  if (records.length === 0) throw noWorkspace();
  throw new ConvoError('NoWorkspace', `turn ${turn} recorded no workspace: it ran before workspaces were recorded`);
}
