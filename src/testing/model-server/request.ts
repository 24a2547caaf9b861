/**
 * Reading a Messages API request (`POST /v1/messages`, docs.anthropic.com/en/api/messages) into a
 * {@link RecordedRequest}: the history it carried, its last user text, its tools and system prompt, its headers with
 * secrets redacted.
 */
import type { IncomingMessage } from 'node:http';
import type { RecordedRequest, RequestMessage } from './types.js';

const SECRET_HEADERS = new Set(['x-api-key', 'authorization']);

/** The request as recorded, before it is answered (`answer` is filled in when it is). */
export function recordRequest(req: IncomingMessage, path: string, body: string, seq: number): RecordedRequest {
  const parsed = JSON.parse(body) as {
    model?: string;
    stream?: boolean;
    messages?: RequestMessage[];
    tools?: unknown[];
    system?: unknown;
  };
  const messages = parsed.messages ?? [];
  return {
    seq,
    receivedAt: new Date(),
    bodyBytes: Buffer.byteLength(body),
    path,
    model: parsed.model ?? '',
    stream: parsed.stream === true,
    messages,
    hasTools: Array.isArray(parsed.tools) && parsed.tools.length > 0,
    tools: (parsed.tools ?? [])
      .map((t) => (t as { name?: unknown } | null)?.name)
      .filter((n): n is string => typeof n === 'string'),
    system: systemText(parsed.system),
    lastUserText: lastUserText(messages),
    auth: req.headers['x-api-key'] ? 'api-key' : /^Bearer /i.test(req.headers.authorization ?? '') ? 'bearer' : 'none',
    headers: redactHeaders(req.headers),
    answer: '',
  };
}

/** The text of a request's `system` field (a string, or a list of text blocks). */
function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system
    .map((b) =>
      b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string'
        ? (b as { text: string }).text
        : '',
    )
    .filter(Boolean)
    .join('\n');
}

/** Number of user and assistant messages (Claude Code also sends `system` entries, which are not conversation). */
export function conversationLength(messages: RequestMessage[]): number {
  return messages.filter((m) => m.role === 'user' || m.role === 'assistant').length;
}

/** Text of the last user message, leaving out system reminders and tool results. */
export function lastUserText(messages: RequestMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    const texts =
      typeof message.content === 'string'
        ? [message.content]
        : message.content.filter((b) => b.type === 'text').map((b) => b.text ?? '');
    const kept = texts.filter((t) => !t.trimStart().startsWith('<system-reminder>'));
    if (kept.length > 0) return kept.join('\n').trim();
  }
  return '';
}

function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[key] = SECRET_HEADERS.has(key) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
