/**
 * `ConvoClient.fork`: a new conversation that goes on from a source conversation as it was after one of its turns.
 * Its transcript is the source's cut to the size it had after that turn (`TurnRecord.transcriptBytes`), started from
 * the way an imported session is (so it works for every backend: the transcript is the CLI's own, as segments); its
 * options are the source's current ones with `forkOf` naming the source, the turn and that turn's commit, where the
 * workers start its workspace. The source is only read.
 */
import type { Client } from '@temporalio/client';
import type { ConversationOptions, ConversationState } from '../common/conversation.js';
import { defaultBranch, type ForkOrigin } from '../common/workspace.js';
import type { ClientConfig } from '../config/client.js';
import { createTranscriptStore } from '../storage/transcript-store.js';
import { ConvoError } from './errors.js';
import { importedCarry } from './session-import.js';
import { checkedOptions, checkPrompt, launchConversation, newConversationId, startOptions } from './start.js';

/** What `ConvoClient.fork` is asked for. */
export interface ForkOptions {
  /** The source's turn to go on from (1-based, as people count turns); default its latest completed turn. */
  at?: number;
  /** The new conversation's id; default `conv-` plus 12 random hex digits. */
  id?: string;
  /** A first turn for the new conversation, queued with its start. */
  prompt?: string;
}

/** Where a fork goes on from: the source's turn, its transcript size then, and the fork's origin option. */
export interface ForkPoint {
  /** 1-based. */
  turn: number;
  /** Size of the source's transcript after that turn, bytes. */
  transcriptBytes: number;
  forkOf: ForkOrigin;
}

/**
 * The point of `state` a fork at turn `at` goes on from. Its commit is the turn's workspace commit, else (the turn
 * changed nothing, or recorded no workspace) what the workspace was after the latest turn before it that recorded one.
 * @throws ConvoError `InvalidOptions` (one line): no such turn, no completed turn, a turn not completed, a turn that
 *   ran before Convo recorded transcript sizes, a compaction after the turn (it replaced the transcript).
 */
export function forkPoint(state: ConversationState, at?: number): ForkPoint {
  const refuse = (message: string) => new ConvoError('InvalidOptions', message);
  if (at !== undefined && (!Number.isSafeInteger(at) || at < 1)) throw refuse(`at must be a turn number from 1`);
  const index = at !== undefined ? at - 1 : state.turns.filter((t) => t.status === 'completed').at(-1)?.index;
  if (index === undefined) throw refuse(`conversation ${state.id} has no completed turn to fork from`);
  const record = state.turns[index];
  if (!record) {
    const count = `${state.turns.length} turn${state.turns.length === 1 ? '' : 's'}`;
    throw refuse(`conversation ${state.id} has no turn ${index + 1} (it has ${count})`);
  }
  if (record.status !== 'completed') throw refuse(`turn ${index + 1} is ${record.status}: fork from a completed turn`);
  if (record.transcriptBytes === undefined) {
    throw refuse(`turn ${index + 1} ran before Convo recorded transcript sizes: fork from a turn run since`);
  }
  const compaction = state.turns.slice(index + 1).find((t) => t.kind === 'compact' && t.status === 'completed');
  if (compaction) {
    const k = compaction.index + 1;
    throw refuse(
      `turn ${k} compacted the session after turn ${index + 1}, so its transcript as it was is gone: fork at turn ${k} or later`,
    );
  }
  const last = state.turns
    .slice(0, index + 1)
    .reverse()
    .find((t) => t.workspace)?.workspace;
  const commit = last?.commit ?? last?.from;
  const o = state.options;
  const branch = state.repo?.branch ?? (o.repo ? (o.branch ?? defaultBranch(state.id)) : undefined);
  const forkOf: ForkOrigin = {
    conversationId: state.id,
    turn: index,
    ...(commit ? { commit } : {}),
    ...(branch ? { branch } : {}),
  };
  return { turn: index + 1, transcriptBytes: record.transcriptBytes, forkOf };
}

/**
 * The source's transcript as it was after the fork point's turn: its first `point.transcriptBytes` bytes.
 * @throws ConvoError `InvalidOptions` when the transcript no longer starts with that turn's (shorter than it, or not
 *   cut at the end of a line: it was rewritten since).
 */
export function forkTranscript(transcript: Buffer, point: ForkPoint): Buffer {
  const bytes = point.transcriptBytes;
  if (bytes > transcript.length || (bytes > 0 && transcript[bytes - 1] !== 0x0a)) {
    throw new ConvoError(
      'InvalidOptions',
      `the transcript of ${point.forkOf.conversationId} was rewritten after turn ${point.turn}: fork from a later turn`,
    );
  }
  return transcript.subarray(0, bytes);
}

/**
 * The fork's options: the source's current ones with `forkOf`; in repo mode its own branch (the default for its id:
 * the source's `branch` and `base` are dropped).
 * @throws ConvoError `InvalidOptions` as `checkedOptions`.
 */
export function forkOptions(source: ConversationOptions, forkOf: ForkOrigin): ConversationOptions {
  const { branch: _branch, base: _base, forkOf: _sourceOrigin, ...rest } = source;
  return checkedOptions({ ...rest, forkOf });
}

/**
 * Starts the fork of `state` (see {@link ForkOptions}) from its transcript (`ConvoClient`'s, as bytes).
 * @returns the new conversation's id.
 * @throws ConvoError `InvalidOptions` (as {@link forkPoint}, {@link forkTranscript}, an id that is the source's),
 *   `InvalidPrompt`, `AlreadyExists`; the transcript store's errors.
 */
export async function forkConversation(
  client: Client,
  config: ClientConfig,
  state: ConversationState,
  transcript: Buffer,
  options: ForkOptions,
): Promise<string> {
  if (options.prompt !== undefined) checkPrompt(options.prompt);
  if (options.id === state.id) throw new ConvoError('InvalidOptions', `a fork needs an id of its own, not ${state.id}`);
  const point = forkPoint(state, options.at);
  const cut = forkTranscript(transcript, point);
  const o = forkOptions(state.options, point.forkOf);
  const id = options.id ?? newConversationId();
  const start = startOptions(o, id, config.taskQueue, options.prompt, `fork of ${state.id} at turn ${point.turn}`);
  const carry = await importedCarry(createTranscriptStore(config), id, { sessionId: state.sessionId, transcript: cut });
  return launchConversation(client, start, options.prompt, carry);
}
