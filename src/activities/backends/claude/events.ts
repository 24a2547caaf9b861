/**
 * Claude Code's stream-json events (`claude --print --output-format stream-json --verbose
 * --include-partial-messages`), parsed with zod, and the live items they show ({@link LiveReader}).
 *
 * Source: events observed from Claude Code 2.1.330 (see shared CLI-FACTS and `test/fixtures/claude`, where
 * `partial-messages.json` is a real run with partial messages). Only the fields Convo reads are declared; everything
 * else passes through untouched, so a new CLI field never breaks a turn.
 */
import { z } from 'zod';
import { parseJsonLine } from '../../../common/json-line.js';
import type { LiveItem } from '../../../common/turn-events.js';
import { toolInputLine } from '../../turn/tool-input.js';

const ContentBlock = z
  .object({ type: z.string(), text: z.string().optional(), name: z.string().optional(), input: z.unknown().optional() })
  .passthrough();

/** `{"type":"system","subtype":"init",…}`: first event; `{"type":"system","subtype":"api_retry",…}`: a CLI retry. */
export const SystemEvent = z
  .object({
    type: z.literal('system'),
    subtype: z.string(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    attempt: z.number().optional(),
    max_retries: z.number().optional(),
    retry_delay_ms: z.number().optional(),
    error_status: z.number().nullable().optional(),
    error: z.unknown().optional(),
  })
  .passthrough();

/** An assistant message (text and tool_use blocks) or a user message (tool results). */
export const MessageEvent = z
  .object({
    type: z.enum(['assistant', 'user']),
    message: z.object({ content: z.union([z.string(), z.array(ContentBlock)]) }).passthrough(),
  })
  .passthrough();

/** Subscription mode only: the account's usage-limit state. `resetsAt` is epoch seconds. */
export const RateLimitEvent = z
  .object({
    type: z.literal('rate_limit_event'),
    rate_limit_info: z
      .object({
        status: z.string(),
        resetsAt: z.number().optional(),
        rateLimitType: z.string().optional(),
      })
      .passthrough(),
  })
  .passthrough();

const Usage = z
  .object({
    input_tokens: z.number().default(0),
    output_tokens: z.number().default(0),
    cache_creation_input_tokens: z.number().default(0),
    cache_read_input_tokens: z.number().default(0),
  })
  .passthrough();

/** The last event of a run: success or the error that ended it. */
export const ResultEvent = z
  .object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean(),
    result: z.string().optional(),
    terminal_reason: z.string().nullable().optional(),
    /** `tool_deferred` when a `PreToolUse` hook deferred a call (then `deferred_tool_use` is that call). */
    stop_reason: z.string().nullable().optional(),
    deferred_tool_use: z.object({ id: z.string(), name: z.string(), input: z.unknown() }).passthrough().optional(),
    api_error_status: z.number().nullable().optional(),
    api_error_type: z.string().nullable().optional(),
    errors: z.array(z.unknown()).optional(),
    session_id: z.string().optional(),
    num_turns: z.number().optional(),
    total_cost_usd: z.number().optional(),
    duration_ms: z.number().optional(),
    usage: Usage.optional(),
    /** Tool calls the CLI refused (not allowed by the tool rules or the permission mode). */
    permission_denials: z
      .array(
        z.object({ tool_name: z.string(), tool_use_id: z.string().optional(), tool_input: z.unknown() }).passthrough(),
      )
      .optional(),
    /** With `--json-schema`: the object the model gave the `StructuredOutput` tool, validated against the schema. */
    structured_output: z.unknown().optional(),
  })
  .passthrough();
export type ResultEvent = z.infer<typeof ResultEvent>;

/**
 * With `--include-partial-messages`: one of the Messages API's streaming events as it arrives (`message_start`,
 * `content_block_start`, `content_block_delta` with a `text_delta`, `thinking_delta`, `input_json_delta` or
 * `signature_delta`, `content_block_stop`, `message_delta`, `message_stop`). `parent_tool_use_id` is set for a
 * sub-agent's; `api_message_id` names the message.
 */
export const PartialEvent = z
  .object({
    type: z.literal('stream_event'),
    event: z
      .object({
        type: z.string(),
        message: z.object({ id: z.string().optional() }).passthrough().optional(),
        delta: z
          .object({ type: z.string(), text: z.string().optional(), thinking: z.string().optional() })
          .passthrough()
          .optional(),
      })
      .passthrough(),
    parent_tool_use_id: z.string().nullable().optional(),
    api_message_id: z.string().optional(),
  })
  .passthrough();
export type PartialEvent = z.infer<typeof PartialEvent>;

/** Any event; those Convo does not know keep their `type` and everything else. */
export const StreamEvent = z.union([
  SystemEvent,
  MessageEvent,
  RateLimitEvent,
  ResultEvent,
  PartialEvent,
  z.object({ type: z.string() }).passthrough(),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;
export type SystemEvent = z.infer<typeof SystemEvent>;
export type MessageEvent = z.infer<typeof MessageEvent>;
export type RateLimitEvent = z.infer<typeof RateLimitEvent>;

/**
 * Parses one stdout line. Returns undefined for a line that is not a JSON object (the CLI prints a few plain-text
 * lines in some failures; callers keep those as text).
 */
export function parseEventLine(line: string): StreamEvent | undefined {
  return parseJsonLine(line, StreamEvent);
}

/** What a run's events add up to: the `result` event, the last rate-limit state, CLI retries and tools called. */
export interface EventSummary {
  result?: ResultEvent;
  rateLimit?: RateLimitEvent['rate_limit_info'];
  apiRetries: SystemEvent[];
  toolCalls: string[];
  /** What the last tool call was given, as one short line (its command, path, pattern or first string input). */
  lastToolInput?: string;
  events: number;
  textLines: string[];
}

/** Folds one event (or a non-JSON line) into a summary. */
export function summarize(summary: EventSummary, line: string): StreamEvent | undefined {
  const event = parseEventLine(line);
  if (!event) {
    if (line.trim()) summary.textLines.push(line.trim());
    return undefined;
  }
  summary.events++;
  const r = ResultEvent.safeParse(event);
  if (r.success) summary.result = r.data;
  else if (event.type === 'rate_limit_event') {
    const e = RateLimitEvent.safeParse(event);
    if (e.success) summary.rateLimit = e.data.rate_limit_info;
  } else if (event.type === 'system') {
    const e = SystemEvent.safeParse(event);
    if (e.success && e.data.subtype === 'api_retry') summary.apiRetries.push(e.data);
  } else if (event.type === 'assistant') {
    const e = MessageEvent.safeParse(event);
    if (e.success && Array.isArray(e.data.message.content)) {
      for (const block of e.data.message.content) {
        if (block.type !== 'tool_use' || !block.name) continue;
        summary.toolCalls.push(block.name);
        summary.lastToolInput = toolInputLine(block.input);
      }
    }
  }
  return event;
}

/** A summary with nothing in it yet. */
export function emptySummary(): EventSummary {
  return { apiRetries: [], toolCalls: [], events: 0, textLines: [] };
}

/** A content block as the live reader needs it: text, tool_use (`id`, `name`, `input`), tool_result. */
const LiveBlock = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    id: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
    tool_use_id: z.string().optional(),
    content: z.unknown().optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
const LiveMessage = z
  .object({
    type: z.enum(['assistant', 'user']),
    message: z.object({ id: z.string().optional(), content: z.union([z.string(), z.array(LiveBlock)]) }).passthrough(),
    parent_tool_use_id: z.string().nullable().optional(),
  })
  .passthrough();

/**
 * Reads the live items of a run's events, in order: text and thinking chunks from partial messages (one per
 * `text_delta` or `thinking_delta`), tool calls from the assistant messages (when the input is complete, as the tool
 * starts), tool results from the user messages. An assistant message's text that came with no delta (a run without
 * partial messages) is one text item. A sub-agent's events (`parent_tool_use_id` set) are left out.
 */
export class LiveReader {
  private items: LiveItem[] = [];
  /** Messages whose text came as deltas (their text blocks are not read again). */
  private readonly streamed = new Set<string>();
  private message: string | undefined;
  private readonly tools = new Map<string, string>();

  /** Reads one event (as {@link summarize} returned it; undefined for a line that is no event). */
  read(event: StreamEvent | undefined): void {
    if (!event) return;
    if (event.type === 'stream_event') {
      const e = PartialEvent.safeParse(event);
      if (e.success && !e.data.parent_tool_use_id) this.partial(e.data);
    } else if (event.type === 'assistant' || event.type === 'user') {
      const e = LiveMessage.safeParse(event);
      if (e.success && !e.data.parent_tool_use_id) this.whole(e.data);
    }
  }

  /** The items read since the last call, in order. */
  take(): LiveItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  private partial({ event, api_message_id }: PartialEvent): void {
    if (event.type === 'message_start') this.message = event.message?.id;
    const id = api_message_id ?? this.message;
    const delta = event.type === 'content_block_delta' ? event.delta : undefined;
    if (delta?.type === 'text_delta' && delta.text) {
      if (id) this.streamed.add(id);
      this.items.push({ type: 'text', text: delta.text });
    } else if (delta?.type === 'thinking_delta' && delta.thinking) {
      this.items.push({ type: 'thinking', text: delta.thinking });
    }
  }

  private whole({ type, message }: z.infer<typeof LiveMessage>): void {
    if (typeof message.content === 'string') return;
    for (const block of message.content) {
      if (type === 'assistant' && block.type === 'text' && block.text && !(message.id && this.streamed.has(message.id)))
        this.items.push({ type: 'text', text: block.text });
      else if (type === 'assistant' && block.type === 'tool_use' && block.name) {
        if (block.id) this.tools.set(block.id, block.name);
        const input = toolInputLine(block.input);
        this.items.push({
          type: 'tool_call',
          tool: block.name,
          ...(input !== undefined && { input }),
          ...(block.id && { id: block.id }),
        });
      } else if (type === 'user' && block.type === 'tool_result') {
        const tool = block.tool_use_id ? this.tools.get(block.tool_use_id) : undefined;
        this.items.push({
          type: 'tool_result',
          ...(tool && { tool }),
          output: resultText(block.content),
          ...(block.is_error && { error: true }),
          ...(block.tool_use_id && { id: block.tool_use_id }),
        });
      }
    }
  }
}

/** A tool result's content as text: a string, or its text blocks joined by newlines. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) =>
      b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string'
        ? (b as { text: string }).text
        : '',
    )
    .filter(Boolean)
    .join('\n');
}
