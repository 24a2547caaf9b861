/**
 * A scripted Anthropic Messages API server on loopback.
 *
 * It stands where Anthropic's API would be, so that the real `claude` binary (and `opencode`) can run offline in
 * tests and in the demo. It is the only fake in the system. By default every reply proves what history the CLI
 * sent: it says how many messages the request carried and echoes the last user text. A title request (no tools, a
 * system prompt asking for a title, as opencode sends on a session's first turn) gets a short title instead. Tests can
 * queue scripted replies: text, a `tool_use` block (the CLI then really runs the tool), an HTTP error with any status,
 * body and headers, a plain JSON body where SSE was asked, or a reply held back until a promise settles.
 *
 * Wire format: Anthropic Messages API, `POST /v1/messages` (JSON body, SSE when `stream: true`), as documented at
 * docs.anthropic.com/en/api/messages-streaming. Claude Code also probes `HEAD /api/hello`; opencode (via the AI SDK)
 * posts to `<baseURL>/messages` with `stream: true` and reads only SSE.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
}

/** A scripted reply. Exactly one of `text`, `toolUse` or `error`; `hold` and `delayMs` may accompany any. */
export interface ScriptedReply {
  /** Reply text. With `toolUse`, it precedes the tool call. */
  text?: string;
  /** A `tool_use` block: Claude Code runs it (e.g. `{name: 'Bash', input: {command: 'echo hi > f'}}`). */
  toolUse?: { name: string; input: Record<string, unknown> };
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

interface QueuedReply {
  reply: ScriptedReply;
  when: RequestMatcher;
  left: number;
}

const SECRET_HEADERS = new Set(['x-api-key', 'authorization']);

/** Options for {@link ScriptedModelServer.start}. */
export interface ModelServerOptions {
  /** TCP port; default 0 (a free port). */
  port?: number;
  /** Answer streaming requests as SSE (default) or as one JSON body. */
  format?: 'sse' | 'json';
  /** Report at most this many input tokens per request (default: about a token per 4 bytes of messages). Long
   * synthetic conversations set it low, so that the CLI does not start compacting them. */
  maxReportedInputTokens?: number;
  /** Keep each request's `messages` in {@link ScriptedModelServer.requests} (default true). Long runs turn it off: a
   * 500-turn conversation sends gigabytes of history in total. */
  keepMessages?: boolean;
}

/**
 * The server. Start it with {@link ScriptedModelServer.start}; point the CLI at {@link ScriptedModelServer.url}
 * through `ANTHROPIC_BASE_URL`.
 */
export class ScriptedModelServer {
  /** Every `POST /v1/messages` received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: QueuedReply[] = [];
  private seq = 0;
  private generate: ((request: RecordedRequest) => ScriptedReply) | undefined;

  private constructor(
    private readonly server: Server,
    private readonly format: 'sse' | 'json',
    private readonly maxInputTokens: number,
    private readonly keepMessages: boolean,
  ) {}

  /** Answers requests that no scripted reply matches with `generate(request)` instead of the echo. */
  replyWith(generate: ((request: RecordedRequest) => ScriptedReply) | undefined): void {
    this.generate = generate;
  }

  /** Starts listening on 127.0.0.1. Resolves once the port is bound. */
  static async start(options: ModelServerOptions = {}): Promise<ScriptedModelServer> {
    const server = createServer();
    const instance = new ScriptedModelServer(
      server,
      options.format ?? 'sse',
      options.maxReportedInputTokens ?? Infinity,
      options.keepMessages ?? true,
    );
    server.on('request', (req, res) => {
      instance.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return instance;
  }

  /** Base URL for `ANTHROPIC_BASE_URL`, e.g. `http://127.0.0.1:41234` (no `/v1`). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /**
   * Scripts `reply` for the main-loop request whose last user text is `prompt`, held until `release()`.
   * `arrived` resolves when that request reaches the server.
   */
  hold(prompt: string, reply: ScriptedReply): { arrived: Promise<void>; release: () => void } {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrive!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    this.script({ ...reply, hold: held }, (r) => {
      const mine = r.hasTools && r.lastUserText === prompt;
      if (mine) arrive();
      return mine;
    });
    return { arrived, release };
  }

  /**
   * Queues replies, answered in order to the next matching requests. Unmatched requests get the echo reply.
   * @param when which requests these replies are for; default: the main agent loop's requests (with tools).
   */
  script(replies: ScriptedReply | ScriptedReply[], when: RequestMatcher = (r) => r.hasTools): void {
    for (const reply of Array.isArray(replies) ? replies : [replies]) this.queue.push({ reply, when, left: reply.times ?? 1 });
  }

  /** Requests from the main agent loop (those that offered tools), in arrival order. */
  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.hasTools);
  }

  /** Drops every queued reply that has not been used. */
  clearScript(): void {
    this.queue.length = 0;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (req.method === 'HEAD' || path.startsWith('/api/hello')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{}');
      return;
    }
    const body = await readBody(req);
    if (req.method === 'POST' && path.startsWith('/v1/messages/count_tokens')) {
      sendJson(res, 200, { input_tokens: Math.ceil(body.length / 4) });
      return;
    }
    if (req.method !== 'POST' || !path.startsWith('/v1/messages')) {
      sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } });
      return;
    }
    const parsed = JSON.parse(body) as { model?: string; stream?: boolean; messages?: RequestMessage[]; tools?: unknown[]; system?: unknown };
    const messages = parsed.messages ?? [];
    const recorded: RecordedRequest = {
      seq: this.seq++,
      receivedAt: new Date(),
      bodyBytes: Buffer.byteLength(body),
      path,
      model: parsed.model ?? '',
      stream: parsed.stream === true,
      messages,
      hasTools: Array.isArray(parsed.tools) && parsed.tools.length > 0,
      tools: (parsed.tools ?? []).map((t) => (t as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string'),
      system: systemText(parsed.system),
      lastUserText: lastUserText(messages),
      auth: req.headers['x-api-key'] ? 'api-key' : /^Bearer /i.test(req.headers.authorization ?? '') ? 'bearer' : 'none',
      headers: redactHeaders(req.headers),
      answer: '',
    };
    this.requests.push(recorded);
    const queued = this.queue.find((q) => q.when(recorded));
    if (queued && --queued.left <= 0) this.queue.splice(this.queue.indexOf(queued), 1);
    const reply: ScriptedReply = queued?.reply ?? this.generate?.(recorded) ?? defaultReply(recorded);
    if (reply.hold) await reply.hold.catch(() => undefined);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.error) {
      recorded.answer = String(reply.error.status);
      const { status, type, message, headers, body: errBody } = reply.error;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(
        JSON.stringify(
          errBody ?? { type: 'error', error: { type: type ?? 'api_error', message: message ?? `scripted ${status}` } },
        ),
      );
      return;
    }
    recorded.answer = reply.toolUse ? 'tool_use' : 'text';
    const message = buildMessage(recorded, reply, this.maxInputTokens);
    if (!this.keepMessages) recorded.messages = [];
    if (recorded.stream && (reply.format ?? this.format) === 'sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
      for (const event of sseEvents(message)) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(message));
    }
  }
}

/**
 * The reply to a request nothing scripted: a short title for a title request (no tools, a system prompt asking for a
 * title), else the echo of the history received.
 */
function defaultReply(request: RecordedRequest): ScriptedReply {
  if (!request.hasTools && /title generator|generate a (brief |short )?title/i.test(request.system)) {
    const words = request.lastUserText.replace(/^Generate a title for this conversation:\s*/i, '').split(/\s+/).filter(Boolean);
    return { text: `Title: ${words.slice(0, 6).join(' ') || 'untitled'}` };
  }
  return { text: `Received ${conversationLength(request.messages)} messages. Last user text: "${request.lastUserText}"` };
}

/** The text of a request's `system` field (a string, or a list of text blocks). */
function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system
    .map((b) => (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : ''))
    .filter(Boolean)
    .join('\n');
}

interface AssistantMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<Record<string, unknown>>;
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

function buildMessage(request: RecordedRequest, reply: ScriptedReply, maxInputTokens: number): AssistantMessage {
  const content: Array<Record<string, unknown>> = [];
  if (reply.text !== undefined) content.push({ type: 'text', text: reply.text });
  if (reply.toolUse) {
    content.push({
      type: 'tool_use',
      id: `toolu_scripted_${request.seq}`,
      name: reply.toolUse.name,
      input: reply.toolUse.input,
    });
  }
  const text = JSON.stringify(content);
  return {
    id: `msg_scripted_${request.seq}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: reply.stopReason ?? (reply.toolUse ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: Math.min(maxInputTokens, Math.ceil(JSON.stringify(request.messages).length / 4)),
      output_tokens: Math.ceil(text.length / 4),
    },
  };
}

/** The Messages API streaming events for a complete message, one content block after another. */
function sseEvents(message: AssistantMessage): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
