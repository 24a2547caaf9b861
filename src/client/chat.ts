/**
 * A session transcript read as a chat: per turn, the user's prompt, then the assistant's text, tool calls and tool
 * results in the order they happened. Each backend parses its own transcript lines (its chat parser, reached
 * through the backend registry); lines no parser understands are skipped, so a newer CLI's additions never break
 * `convo history`.
 */
import type { ChatEntry, ChatTurn } from '../common/chat.js';
import { backendNames, chatEntries } from '../activities/backends/registry.js';

export type { ChatEntry, ChatTurn };

/**
 * Reads a transcript as a chat, split into turns (a turn begins at each user message that is a prompt rather than
 * tool results).
 * @param jsonl the transcript text. Lines that are not JSON, or not a message, are skipped.
 * @param backend the backend that wrote it; when not given, each line is offered to every backend's parser.
 */
export function transcriptToChat(jsonl: string, backend?: string): ChatTurn[] {
  const backends = backend === undefined ? backendNames() : [backend];
  const turns: ChatTurn[] = [];
  for (const raw of jsonl.split('\n')) {
    let entries: ChatEntry[] | undefined;
    for (const name of backends) if ((entries = chatEntries(name, raw))) break;
    if (!entries || entries.length === 0) continue;
    const startsTurn = entries.some((e) => e.kind === 'user');
    if (startsTurn || turns.length === 0) turns.push({ index: turns.length, entries: [] });
    turns.at(-1)!.entries.push(...entries);
  }
  return turns;
}
