/**
 * opencode's event stream (`opencode run --format json`): one JSON object per stdout line, parsed with zod.
 *
 * Source: events observed from opencode 1.18.33 offline against the scripted model server (recorded in
 * `test/fixtures/opencode`). Every event is `{type, timestamp (epoch ms), sessionID, …}`:
 * - `step_start` `{part: {type: 'step-start', messageID}}`: a model call begins;
 * - `text` `{part: {type: 'text', text, messageID}}`: a finished text part of an assistant message;
 * - `reasoning` `{part: {type: 'reasoning', text}}` (only with `--thinking`);
 * - `tool_use` `{part: {type: 'tool', tool, callID, state: {status: 'completed' | 'error', input, output, error}}}`: a
 *   finished tool call;
 * - `step_finish` `{part: {type: 'step-finish', reason, tokens: {input, output, reasoning, cache: {read, write}}, cost}}`:
 *   a model call ended; `reason` is the finish reason (`stop`, `tool-calls`, `length`, … or `unknown` when the reply
 *   could not be read);
 * - `error` `{error: {name, data: {message, statusCode, isRetryable, responseHeaders, responseBody, …}}}`: the
 *   session failed (`APIError`, `ProviderAuthError`, `MessageOutputLengthError`, `ContextOverflowError`,
 *   `UnknownError`, …).
 * Only the fields Convo reads are declared; everything else passes through, so a new field never breaks a turn.
 *
 * Live text: `run --format json` prints a text part only once it is finished (there is no partial-text option in
 * 1.18.33), so opencode's live items are whole parts: one text item per text part, one thinking item per reasoning
 * part, and a tool call with its result together once the call finished.
 */
import { z } from 'zod';
import { parseJsonLine } from '../../../common/json-line.js';
import type { LiveItem } from '../../../common/turn-events.js';
import { toolInputLine } from '../../turn/tool-input.js';

/** opencode's structured error (`NamedError.toObject()`): a name and its data. */
export const OpencodeError = z.looseObject({
  name: z.string(),
  data: z
    .looseObject({
      message: z.string().optional(),
      statusCode: z.number().optional(),
      isRetryable: z.boolean().optional(),
      responseHeaders: z.record(z.string(), z.string()).optional(),
      responseBody: z.string().optional(),
      providerID: z.string().optional(),
    })
    .optional(),
});
export type OpencodeError = z.infer<typeof OpencodeError>;

const Tokens = z.looseObject({
  input: z.number().default(0),
  output: z.number().default(0),
  reasoning: z.number().default(0),
  cache: z.looseObject({ read: z.number().default(0), write: z.number().default(0) }).optional(),
});

/** One event line. `part` and `error` are checked further by the event's type. */
export const OpencodeEvent = z.looseObject({
  type: z.string(),
  timestamp: z.number().optional(),
  sessionID: z.string().optional(),
  part: z.looseObject({ type: z.string(), messageID: z.string().optional() }).optional(),
  error: z.unknown().optional(),
});
export type OpencodeEvent = z.infer<typeof OpencodeEvent>;

const TextPart = z.looseObject({ type: z.literal('text'), text: z.string(), messageID: z.string().optional() });
const ToolPart = z.looseObject({
  type: z.literal('tool'),
  tool: z.string(),
  callID: z.string().optional(),
  state: z
    .looseObject({
      status: z.string(),
      input: z.unknown().optional(),
      output: z.unknown().optional(),
      error: z.unknown().optional(),
    })
    .optional(),
});
const ReasoningPart = z.looseObject({ type: z.literal('reasoning'), text: z.string() });
const StepFinishPart = z.looseObject({
  type: z.literal('step-finish'),
  reason: z.string().optional(),
  tokens: Tokens.optional(),
  cost: z.number().optional(),
});

/** What a run's events add up to. */
export interface EventSummary {
  /** Event lines read. */
  events: number;
  /** The session the run worked on (`ses_…`), from the first event that names one. */
  sessionId?: string;
  /** Names of the tools called, in order (opencode's names: `bash`, `write`, `edit`, `read`, …). */
  toolCalls: string[];
  /** What the last tool call was given, as one short line. */
  lastToolInput?: string;
  /** Text parts, in order, with the assistant message they belong to. */
  texts: Array<{ messageID?: string; text: string }>;
  /** Model calls finished (`step_finish` events). */
  steps: number;
  /** Finish reason of the last model call. */
  lastFinishReason?: string;
  /** Model calls in a row, up to now, that came back empty (finish reason `unknown`, no text, no tool call). */
  emptyStepsInARow: number;
  /** Token counts summed over the run's model calls. */
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /** Cost summed over the run's model calls, US dollars. */
  costUsd: number;
  /** `error` events, in order. */
  errors: OpencodeError[];
  /**
   * Tool calls opencode refused: by a permission rule, or by asking (which `run` answers no); and calls of a tool
   * its permissions took from the model (opencode turns those into its `invalid` tool, keeping only the name, so
   * `input` is empty and `unavailable` is set: the backend keeps those its config denied).
   */
  refusals: Array<{ tool: string; input: string; unavailable?: boolean }>;
  /** Lines that were not JSON events. */
  textLines: string[];
}

/** A summary with nothing in it yet. */
export function emptySummary(): EventSummary {
  return {
    events: 0,
    toolCalls: [],
    texts: [],
    steps: 0,
    emptyStepsInARow: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    costUsd: 0,
    errors: [],
    refusals: [],
    textLines: [],
  };
}

/** Parses one stdout line; undefined for a line that is not a JSON object with a `type`. */
export function parseEventLine(line: string): OpencodeEvent | undefined {
  return parseJsonLine(line, OpencodeEvent);
}

/**
 * Folds one stdout line into `summary`, and adds the live items it shows to `live` (see the module's comment; a text
 * part after another of the same message starts with a newline, as the reply joins them).
 * @returns true when the line shows progress: text, a tool call, an error, or a model call that produced something.
 *   Empty model calls (the loop opencode falls into when a reply cannot be read) and `step_start` are not progress.
 */
export function summarize(summary: EventSummary, line: string, live: LiveItem[] = []): boolean {
  const event = parseEventLine(line);
  if (!event) {
    if (line.trim()) summary.textLines.push(line.trim());
    return false;
  }
  summary.events++;
  summary.sessionId ??= event.sessionID;
  switch (event.type) {
    case 'text': {
      const part = TextPart.safeParse(event.part);
      if (!part.success) return false;
      const previous = summary.texts.at(-1);
      const sameMessage = previous !== undefined && previous.messageID === part.data.messageID;
      if (part.data.text) live.push({ type: 'text', text: `${sameMessage ? '\n' : ''}${part.data.text}` });
      summary.texts.push({ messageID: part.data.messageID, text: part.data.text });
      summary.emptyStepsInARow = 0;
      return true;
    }
    case 'reasoning': {
      const part = ReasoningPart.safeParse(event.part);
      if (part.success && part.data.text) live.push({ type: 'thinking', text: part.data.text });
      summary.emptyStepsInARow = 0;
      return true;
    }
    case 'tool_use': {
      const part = ToolPart.safeParse(event.part);
      if (!part.success) return false;
      summary.toolCalls.push(part.data.tool);
      summary.lastToolInput = toolInputLine(part.data.state?.input);
      live.push(...toolItems(part.data));
      const refusal = refusalOf(part.data);
      if (refusal) summary.refusals.push(refusal);
      summary.emptyStepsInARow = 0;
      return true;
    }
    case 'step_finish': {
      const part = StepFinishPart.safeParse(event.part);
      if (!part.success) return false;
      const { reason, tokens, cost } = part.data;
      summary.steps++;
      summary.lastFinishReason = reason;
      summary.costUsd += cost ?? 0;
      if (tokens) {
        summary.tokens.input += tokens.input;
        summary.tokens.output += tokens.output;
        summary.tokens.cacheRead += tokens.cache?.read ?? 0;
        summary.tokens.cacheWrite += tokens.cache?.write ?? 0;
      }
      const produced = (tokens?.input ?? 0) + (tokens?.output ?? 0) > 0;
      if ((reason === undefined || reason === 'unknown') && !produced) {
        summary.emptyStepsInARow++;
        return false;
      }
      summary.emptyStepsInARow = 0;
      return true;
    }
    case 'error': {
      const error = OpencodeError.safeParse(event.error);
      summary.errors.push(
        error.success ? error.data : { name: 'UnknownError', data: { message: JSON.stringify(event.error) } },
      );
      return true;
    }
    default:
      return false;
  }
}

/** A finished tool call's live items: the call, then its result (its output, or its error). */
function toolItems(part: z.infer<typeof ToolPart>): LiveItem[] {
  const { tool, callID, state } = part;
  const input = toolInputLine(state?.input);
  const id = callID !== undefined ? { id: callID } : {};
  const failed = state?.status === 'error';
  const output = failed ? state.error : state?.output;
  return [
    { type: 'tool_call', tool, ...(input !== undefined && { input }), ...id },
    {
      type: 'tool_result',
      tool,
      output: typeof output === 'string' ? output : output === undefined ? '' : JSON.stringify(output),
      ...(failed && { error: true }),
      ...id,
    },
  ];
}

/** The errors of a refused call (opencode 1.18.33's `PermissionRejectedError` and `PermissionDeniedError`). */
const REFUSED = /rejected permission to use|specified a rule which prevents you/i;

/** The refusal a finished tool call shows, if it is one (see {@link EventSummary.refusals}). */
function refusalOf(part: z.infer<typeof ToolPart>): EventSummary['refusals'][number] | undefined {
  const { state } = part;
  if (state?.status === 'error' && typeof state.error === 'string' && REFUSED.test(state.error)) {
    return { tool: part.tool, input: toolInputLine(state.input) ?? '' };
  }
  const input = state?.input as { tool?: unknown; error?: unknown } | undefined;
  if (part.tool === 'invalid' && typeof input?.tool === 'string' && /unavailable tool/i.test(String(input.error))) {
    return { tool: input.tool, input: '', unavailable: true };
  }
  return undefined;
}

/**
 * The turn's reply: the text parts of the last assistant message that has any, joined by newlines (a tool call's
 * message usually precedes the final answer's).
 */
export function opencodeReply(summary: EventSummary): string {
  const last = summary.texts.at(-1);
  if (!last) return '';
  return summary.texts
    .filter((t) => t.messageID === last.messageID)
    .map((t) => t.text)
    .join('\n');
}
