/**
 * A session transcript read as a chat: per turn, the user's prompt, then the assistant's text, tool calls and tool
 * results in the order they happened. Each backend parses its own transcript lines (its chat parser, reached
 * through the backend registry); lines no parser understands are skipped, so a newer CLI's additions never break
 * `convo history`.
 */
import { backendNames } from './backend-names.js';
import { chatEntries } from './chat-parsers.js';

// TODO(merge): ChatEntry and ChatTurn move to src/common/chat.ts (backends helper); re-export them from there.
/** One entry of a chat. `text` is the prompt, the reply text, the tool input (JSON) or the tool result. */
export type ChatEntry =
  | { kind: 'user'; text: string; timestamp?: string }
  | { kind: 'assistant'; text: string; timestamp?: string }
  | { kind: 'tool_call'; name: string; input: unknown; timestamp?: string }
  | { kind: 'tool_result'; text: string; isError: boolean; timestamp?: string };

/** One turn of a chat: the prompt that began it and what followed. `index` counts from 0, like the workflow's. */
export interface ChatTurn {
  index: number;
  entries: ChatEntry[];
}

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
