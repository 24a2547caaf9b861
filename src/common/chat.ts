/**
 * A session transcript read as a chat (`convo history`): per turn, the user's prompt, then the assistant's text, tool
 * calls and tool results in the order they happened. Each backend's `chat.ts` reads its own transcript lines into
 * these entries. Deterministic shapes only.
 */

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
