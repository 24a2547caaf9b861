/**
 * Starting a conversation from an existing Claude Code session (`convo start --import FILE`): a session someone had
 * locally moves into Convo and continues durably. The file is Claude Code's own transcript
 * (`~/.claude/projects/<cwd slug>/<session id>.jsonl`, Claude Code 2.1.x): JSON objects, one a line, whose records
 * carry the session's id in `sessionId`. It goes to the transcript store as it is (the transcript stays the CLI's
 * own) and the workflow starts from it as from a carried state.
 */
import type { StoredSegment } from '../common/conversation.js';
import type { TranscriptStore } from '../storage/transcript-store.js';
import type { ConversationCarry } from '../workflows/conversation/continue-as-new.js';
import { ConvoError } from './errors.js';

/** A session file to start from, and its name for messages. */
export interface ImportSession {
  /** The Claude Code session file's bytes. */
  transcript: Buffer;
  /** Where it came from (a file name), named in errors; default `session file`. */
  source?: string;
}

/** Claude Code session ids are UUIDs (`--session-id`, `--resume`). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The session id of a Claude Code session file, after checking every non-empty line is a JSON object.
 * @throws ConvoError `InvalidOptions` (one line, naming the source): a line that is not a JSON object (its number),
 *   no record with a `sessionId`, records of more than one session, an id that is not a UUID.
 */
export function claudeSessionId(session: ImportSession): string {
  const source = session.source ?? 'session file';
  const ids = new Set<string>();
  const lines = session.transcript.toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new ConvoError('InvalidOptions', `${source} line ${i + 1} is not a JSON object: ${line.slice(0, 80)}`);
    }
    const id = (record as { sessionId?: unknown }).sessionId;
    if (typeof id === 'string') ids.add(id);
  });
  if (ids.size === 0) {
    throw new ConvoError('InvalidOptions', `${source} is not a Claude Code session: no record has a sessionId`);
  }
  if (ids.size > 1) {
    throw new ConvoError('InvalidOptions', `${source} mixes sessions: ${[...ids].slice(0, 3).join(', ')}`);
  }
  const id = [...ids][0]!;
  if (!UUID.test(id)) throw new ConvoError('InvalidOptions', `${source}: session id ${id} is not a UUID`);
  return id;
}

/**
 * What an imported conversation's first run starts from. `imported` tells the workflow that, although it starts
 * from a carried state, it is a new conversation (it still joins its account).
 */
export type ImportedCarry = ConversationCarry & { imported: true };

/**
 * Stores an imported session's transcript for conversation `id` (it goes to the store whatever its size: a local
 * session is usually far beyond what history keeps inline) and returns the carried state to start the workflow with.
 * @param session its id ({@link claudeSessionId}) and transcript bytes.
 * @throws the store's errors when it cannot write.
 */
export async function importedCarry(
  store: TranscriptStore,
  id: string,
  session: { sessionId: string; transcript: Buffer },
): Promise<ImportedCarry> {
  const segment: StoredSegment = await store.put(id, session.transcript);
  return { sessionId: session.sessionId, turns: [], transcript: [segment], closing: false, imported: true };
}
