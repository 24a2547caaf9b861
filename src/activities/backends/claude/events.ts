/**
 * Claude Code's stream-json events (`claude --print --output-format stream-json --verbose`), parsed with zod.
 *
 * Source: events observed from Claude Code 2.1.330 (see shared CLI-FACTS and `test/fixtures/claude`). Only the
 * fields Convo reads are declared; everything else passes through untouched, so a new CLI field never breaks a turn.
 */
import { z } from 'zod';
import { parseJsonLine } from '../../../common/json-line.js';
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

/** Any event; those Convo does not know keep their `type` and everything else. */
export const StreamEvent = z.union([
  SystemEvent,
  MessageEvent,
  RateLimitEvent,
  ResultEvent,
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
