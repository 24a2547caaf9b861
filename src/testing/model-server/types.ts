/** The shapes the scripted model server reads (Anthropic Messages API requests) and is scripted with. */

/** One content block of a Messages API message, as far as this server needs to read it. */
export interface ContentBlock {
  type: string;
  text?: string;
  name?: string;
  input?: unknown;
  content?: unknown;
  tool_use_id?: string;
  id?: string;
}

/** One message of a Messages API request. `content` is a string or a list of blocks. */
export interface RequestMessage {
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

/** What the server saw of one `POST /v1/messages` request. */
export interface RecordedRequest {
  /** Sequence number, from 0, over all requests this server received. */
  seq: number;
  receivedAt: Date;
  /** Size of the request body, bytes. */
  bodyBytes: number;
  path: string;
  model: string;
  stream: boolean;
  messages: RequestMessage[];
  /** Whether the request offered tools: the CLI's main agent loop does; side requests (titles, summaries) do not. */
  hasTools: boolean;
  /** Names of the tools the request offered, in its order. */
  tools: string[];
  /** The request's system prompt as text (`system` as a string, or its text blocks joined by newlines). */
  system: string;
  /** The last user message's text, with `<system-reminder>` blocks and tool results left out. */
  lastUserText: string;
  /** How the CLI authenticated: `x-api-key` (API-key mode), a bearer token (subscription/OAuth mode), or neither. */
  auth: 'api-key' | 'bearer' | 'none';
  /** Lower-cased request headers. Secrets are replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** What the server answered: `'text'`, `'tool_use'` or the HTTP status of a scripted error. */
  answer: string;
  /** The whole request body as received (with `keepBodies`): tests look for what must never reach the model. */
  body?: string;
  /** For a reply streamed in `chunks` (SSE): when each chunk's `text_delta` was written, in order. */
  chunksSentAt?: Date[];
}

/** A scripted reply. Exactly one of `text`, `toolUse` or `error`; `hold` and `delayMs` may accompany any. */
export interface ScriptedReply {
  /** Reply text. With `toolUse`, it precedes the tool call. */
  text?: string;
  /**
   * The reply text as chunks: streamed (SSE) as one `text_delta` event each, `chunkDelayMs` apart, and when each was
   * written is recorded in `RecordedRequest.chunksSentAt`. The text is their concatenation (`text` is then ignored).
   * Answered as one JSON body (no delays) when the request did not ask for SSE.
   */
  chunks?: string[];
  /** ms between two chunks of `chunks`; default 0. */
  chunkDelayMs?: number;
  /** A thinking block before the text (`thinking_delta` events when streamed; signature `scripted`). */
  thinking?: string;
  /** A `tool_use` block: Claude Code runs it (e.g. `{name: 'Bash', input: {command: 'echo hi > f'}}`). */
  toolUse?: { name: string; input: Record<string, unknown> };
  /** Several `tool_use` blocks in one assistant message (after `toolUse`, if both are set). */
  toolUses?: Array<{ name: string; input: Record<string, unknown> }>;
  /** An HTTP error: status, optional error type and message (an Anthropic error body), optional headers. */
  error?: { status: number; type?: string; message?: string; headers?: Record<string, string>; body?: unknown };
  /** Extra response headers on a successful reply (e.g. `anthropic-ratelimit-unified-*`). */
  headers?: Record<string, string>;
  /** `stop_reason` of a successful reply; default `end_turn` (`tool_use` when `toolUse` is set). */
  stopReason?: string;
  /** Answer only once this promise settles (used to hold a turn open while a test kills a worker). */
  hold?: Promise<unknown>;
  /** Wait this long before answering, ms. */
  delayMs?: number;
  /** Answer this many matching requests with this reply before moving on; default 1, `Infinity` for all. */
  times?: number;
  /** Answer as one JSON body even when the request asked for SSE (`stream: true`); default: the server's format. */
  format?: 'sse' | 'json';
}

/** Picks which requests a scripted reply applies to. Default: the main agent loop's requests (those with tools). */
export type RequestMatcher = (request: RecordedRequest) => boolean;

/** Options for `ScriptedModelServer.start`. */
export interface ModelServerOptions {
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** Answer streaming requests as SSE (default) or as one JSON body. */
  format?: 'sse' | 'json';
  /** Report at most this many input tokens per request (default: about a token per 4 bytes of messages). Long
   * synthetic conversations set it low, so that the CLI does not start compacting them. */
  maxReportedInputTokens?: number;
  /** Keep each request's `messages` in `ScriptedModelServer.requests` (default true). Long runs turn it off: a
   * 500-turn conversation sends gigabytes of history in total. */
  keepMessages?: boolean;
  /** Keep each request's whole body in `RecordedRequest.body` (default false). */
  keepBodies?: boolean;
}
