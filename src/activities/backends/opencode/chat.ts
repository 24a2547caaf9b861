/**
 * The opencode backend's transcript read as a chat (`convo history`).
 *
 * Source format (see `transcript.ts`): one JSON object per line; the `message` lines of opencode 1.18.33's session
 * export (`info.role`, `parts` of type `text` and `tool`) are read; the `session` line and other parts are skipped.
 */
import { z } from 'zod';
import type { ChatEntry } from '../../../common/chat.js';
import { parseJsonLine } from '../../../common/json-line.js';

/** A message line of the opencode backend's transcript: the export's `{info, parts}` with `type: "message"`. */
const MessageLine = z.looseObject({
  type: z.literal('message'),
  info: z.looseObject({
    role: z.enum(['user', 'assistant']),
    time: z.looseObject({ created: z.number().optional() }).optional(),
  }),
  parts: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      synthetic: z.boolean().optional(),
      tool: z.string().optional(),
      state: z
        .looseObject({
          status: z.string().optional(),
          input: z.unknown().optional(),
          output: z.string().optional(),
          error: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

/**
 * The entries of an opencode transcript line: text parts (not synthetic ones) as the role's text, tool parts as a
 * tool call followed by its output or error. Timestamps are ISO 8601, from the message's `time.created` (epoch ms).
 * @returns undefined when the line is not a message line.
 */
export function chatEntries(line: string): ChatEntry[] | undefined {
  const parsed = parseJsonLine(line, MessageLine);
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
