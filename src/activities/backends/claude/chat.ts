/**
 * Claude Code's session transcript read as a chat (`convo history`).
 *
 * Source format: `<session_id>.jsonl` as written by Claude Code 2.1.330 (see
 * `test/fixtures/claude/transcript-tool-call.jsonl`), one JSON object per line: `user` and `assistant` lines that are
 * not sidechains (sub-agents) or meta lines are read; the CLI's bookkeeping lines (`queue-operation`, `attachment`,
 * `api-request`, `cost-state`, …) are skipped.
 */
import { z } from 'zod';
import type { ChatEntry } from '../../../common/chat.js';
import { parseJsonLine } from '../../../common/json-line.js';

const Block = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    thinking: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
    content: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();

const TranscriptLine = z
  .object({
    type: z.enum(['user', 'assistant']),
    isSidechain: z.boolean().optional(),
    isMeta: z.boolean().optional(),
    timestamp: z.string().optional(),
    message: z.object({ content: z.union([z.string(), z.array(Block)]) }).passthrough(),
  })
  .passthrough();

/**
 * The entries of a Claude Code transcript line: text blocks as the role's text, `tool_use` blocks as tool calls,
 * `tool_result` blocks as tool results.
 * @returns undefined when the line is not one of its messages (not JSON, bookkeeping, a sidechain or meta line).
 */
export function chatEntries(line: string): ChatEntry[] | undefined {
  const parsed = parseJsonLine(line, TranscriptLine);
  if (!parsed || parsed.isSidechain || parsed.isMeta) return undefined;
  const { type, timestamp, message } = parsed;
  const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  const entries: ChatEntry[] = [];
  for (const block of blocks) {
    if (block.type === 'text' && block.text?.trim()) {
      entries.push({ kind: type, text: block.text, timestamp });
    } else if (block.type === 'tool_use' && block.name) {
      entries.push({ kind: 'tool_call', name: block.name, input: block.input, timestamp });
    } else if (block.type === 'tool_result') {
      entries.push({
        kind: 'tool_result',
        text: resultText(block.content),
        isError: block.is_error === true,
        timestamp,
      });
    }
  }
  return entries;
}

/** A tool result's content: a string, or text blocks (images and other blocks are named, not shown). */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c: { type?: string; text?: string }) => (c.type === 'text' ? (c.text ?? '') : `[${c.type ?? 'block'}]`))
    .join('\n');
}
