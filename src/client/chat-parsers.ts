/**
 * TEMPORARY stand-in for the backends' chat parsers (src/activities/backends/<name>/chat.ts, reached through
 * `chatEntries(backend, line)` of src/activities/backends/registry.ts, built by the backends helper): at merge,
 * import `chatEntries` from the registry in src/client/chat.ts and delete this file.
 *
 * Source formats, one JSON object per line:
 * - Claude Code's session transcript `<session_id>.jsonl`, as written by Claude Code 2.1.330 (see
 *   `test/fixtures/claude/transcript-tool-call.jsonl`): `user` and `assistant` lines that are not sidechains
 *   (sub-agents) or meta lines are read; the CLI's bookkeeping lines (`queue-operation`, `attachment`, `api-request`,
 *   `cost-state`, …) are skipped;
 * - the opencode backend's transcript (`src/activities/opencode/transcript.ts`): `message` lines of opencode 1.18.33's
 *   session export (`info.role`, `parts` of type `text` and `tool`); the `session` line and other parts are skipped.
 */
import { z } from 'zod';
import { parseJsonLine } from '../common/json-line.js';
import type { ChatEntry } from './chat.js';

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

/** A message line of the opencode backend's transcript: the export's `{info, parts}` with `type: "message"`. */
const OpencodeMessageLine = z.looseObject({
  type: z.literal('message'),
  info: z.looseObject({ role: z.enum(['user', 'assistant']), time: z.looseObject({ created: z.number().optional() }).optional() }),
  parts: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      synthetic: z.boolean().optional(),
      tool: z.string().optional(),
      state: z
        .looseObject({ status: z.string().optional(), input: z.unknown().optional(), output: z.string().optional(), error: z.string().optional() })
        .optional(),
    }),
  ),
});

/** The entries of a Claude Code transcript line; undefined when it is not one of its messages. */
function claudeEntries(raw: string): ChatEntry[] | undefined {
  const parsed = parseJsonLine(raw, TranscriptLine);
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
      entries.push({ kind: 'tool_result', text: resultText(block.content), isError: block.is_error === true, timestamp });
    }
  }
  return entries;
}

/** The entries of an opencode transcript line; undefined when it is not a message line. */
function opencodeEntries(raw: string): ChatEntry[] | undefined {
  const parsed = parseJsonLine(raw, OpencodeMessageLine);
  if (!parsed) return undefined;
  const created = parsed.info.time?.created;
  const timestamp = created === undefined ? undefined : new Date(created).toISOString();
  const entries: ChatEntry[] = [];
  for (const part of parsed.parts) {
    if (part.type === 'text' && !part.synthetic && part.text?.trim()) {
      entries.push({ kind: parsed.info.role, text: part.text, timestamp });
    } else if (part.type === 'tool' && part.tool) {
      entries.push({ kind: 'tool_call', name: part.tool, input: part.state?.input, timestamp });
      const failed = part.state?.status === 'error';
      const text = failed ? part.state?.error : part.state?.output;
      if (text !== undefined) entries.push({ kind: 'tool_result', text, isError: failed, timestamp });
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

const PARSERS: Record<string, (line: string) => ChatEntry[] | undefined> = {
  claude: claudeEntries,
  opencode: opencodeEntries,
};

/** The chat entries of one transcript line of `backend`; undefined when the line is not one of its messages. */
export function chatEntries(backend: string, line: string): ChatEntry[] | undefined {
  return PARSERS[backend]?.(line);
}
