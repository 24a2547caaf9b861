/**
 * A chat (see `transcriptToChat` in src/client/chat.ts) as text for a terminal: `convo history`.
 */
import type { ChatTurn } from '../../client/chat.js';

/** Options for {@link formatChat}. */
export interface FormatChatOptions {
  /** Tool results longer than this many lines are cut (default 20; 0 shows them whole). */
  maxResultLines?: number;
}

/** Renders a chat as plain text for a terminal: `── turn N ──`, then `user:`, `assistant:`, `→ Tool(input)`, `←`. */
export function formatChat(turns: ChatTurn[], options: FormatChatOptions = {}): string {
  const maxLines = options.maxResultLines ?? 20;
  const out: string[] = [];
  for (const turn of turns) {
    out.push(`── turn ${turn.index + 1} ──`);
    for (const entry of turn.entries) {
      switch (entry.kind) {
        case 'user':
          out.push(`user: ${indentRest(entry.text)}`);
          break;
        case 'assistant':
          out.push(`assistant: ${indentRest(entry.text)}`);
          break;
        case 'tool_call':
          out.push(`  → ${entry.name}(${JSON.stringify(entry.input)})`);
          break;
        case 'tool_result': {
          const lines = entry.text.split('\n');
          const shown =
            maxLines > 0 && lines.length > maxLines
              ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`]
              : lines;
          out.push(`  ← ${entry.isError ? 'error: ' : ''}${shown.join('\n    ')}`);
          break;
        }
      }
    }
  }
  return out.join('\n');
}

function indentRest(text: string): string {
  return text.trim().split('\n').join('\n  ');
}
