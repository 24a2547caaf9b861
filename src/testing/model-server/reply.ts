/**
 * The server's answers: the default reply (a title or the echo of the history), the assistant message for a scripted
 * reply, and its Messages API streaming events (docs.anthropic.com/en/api/messages-streaming).
 */
import type { ServerResponse } from 'node:http';
import { conversationLength } from './request.js';
import type { RecordedRequest, ScriptedReply } from './types.js';

/**
 * The reply to a request nothing scripted: a short title for a title request (no tools, a system prompt asking for a
 * title), else the echo of the history received.
 */
export function defaultReply(request: RecordedRequest): ScriptedReply {
  if (!request.hasTools && /title generator|generate a (brief |short )?title/i.test(request.system)) {
    const words = request.lastUserText
      .replace(/^Generate a title for this conversation:\s*/i, '')
      .split(/\s+/)
      .filter(Boolean);
    return { text: `Title: ${words.slice(0, 6).join(' ') || 'untitled'}` };
  }
  return {
    text: `Received ${conversationLength(request.messages)} messages. Last user text: "${request.lastUserText}"`,
  };
}

/** A complete Messages API response message. */
export interface AssistantMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown>>;
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

/** The assistant message answering `request` with `reply`; input tokens are capped at `maxInputTokens`. */
export function buildMessage(request: RecordedRequest, reply: ScriptedReply, maxInputTokens: number): AssistantMessage {
  const content: Array<Record<string, unknown>> = [];
  if (reply.thinking !== undefined) content.push({ type: 'thinking', thinking: reply.thinking, signature: 'scripted' });
  const text = reply.chunks ? reply.chunks.join('') : reply.text;
  if (text !== undefined) content.push({ type: 'text', text });
  if (reply.toolUse) {
    content.push({
      type: 'tool_use',
      id: `toolu_scripted_${request.seq}`,
      name: reply.toolUse.name,
      input: reply.toolUse.input,
    });
  }
  (reply.toolUses ?? []).forEach((use, i) =>
    content.push({ type: 'tool_use', id: `toolu_scripted_${request.seq}_${i}`, name: use.name, input: use.input }),
  );
  const json = JSON.stringify(content);
  return {
    id: `msg_scripted_${request.seq}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: reply.stopReason ?? (reply.toolUse || reply.toolUses?.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: Math.min(maxInputTokens, Math.ceil(JSON.stringify(request.messages).length / 4)),
      output_tokens: Math.ceil(json.length / 4),
    },
  };
}

/** One Messages API streaming event; `type` is also its SSE `event:` name. */
export type SseEvent = { type: string } & Record<string, unknown>;

/**
 * The Messages API streaming events for a complete message, one content block after another.
 * @param textChunks the text block's text as these `text_delta`s (default: one delta with the whole text).
 */
export function sseEvents(message: AssistantMessage, textChunks?: string[]): SseEvent[] {
  const events: SseEvent[] = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of textChunks ?? [block.text])
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    } else if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: block.signature },
      });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  events.push({ type: 'message_stop' });
  return events;
}

/** Answers with one JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
