/**
 * A scripted Anthropic Messages API server on loopback.
 *
 * It stands where Anthropic's API would be, so that the real `claude` binary (and `opencode`) can run offline in
 * tests and in the demo. It is the only fake in the system. By default every reply proves what history the CLI
 * sent: it says how many messages the request carried and echoes the last user text. A title request (no tools, a
 * system prompt asking for a title, as opencode sends on a session's first turn) gets a short title instead. Tests can
 * queue scripted replies: text (optionally streamed in chunks with delays between them), a `tool_use` block (the CLI then really runs the tool), an HTTP error with any status,
 * body and headers, a plain JSON body where SSE was asked, or a reply held back until a promise settles.
 *
 * Wire format: Anthropic Messages API, `POST /v1/messages` (JSON body, SSE when `stream: true`), as documented at
 * docs.anthropic.com/en/api/messages-streaming. Claude Code also probes `HEAD /api/hello`; opencode (via the AI SDK)
 * posts to `<baseURL>/messages` with `stream: true` and reads only SSE.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMessage, defaultReply, sendJson, sseEvents } from './reply.js';
import { readBody, recordRequest } from './request.js';
import type { ModelServerOptions, RecordedRequest, RequestMatcher, ScriptedReply } from './types.js';
import type { SseEvent } from './reply.js';

interface QueuedReply {
  reply: ScriptedReply;
  when: RequestMatcher;
  left: number;
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
    private readonly keepBodies: boolean,
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
      options.keepBodies ?? false,
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
    for (const reply of Array.isArray(replies) ? replies : [replies])
      this.queue.push({ reply, when, left: reply.times ?? 1 });
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
    const recorded = recordRequest(req, path, body, this.seq++);
    if (this.keepBodies) recorded.body = body;
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
    recorded.answer = reply.toolUse || reply.toolUses?.length ? 'tool_use' : 'text';
    const message = buildMessage(recorded, reply, this.maxInputTokens);
    if (!this.keepMessages) recorded.messages = [];
    if (recorded.stream && (reply.format ?? this.format) === 'sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
      await writeSse(
        res,
        sseEvents(message, reply.chunks),
        reply.chunks && { delayMs: reply.chunkDelayMs ?? 0, recorded },
      );
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(message));
    }
  }
}

/**
 * Writes `events` as SSE. With `chunked`, each `text_delta` after the first waits `delayMs` first, and the time each
 * is written goes to `recorded.chunksSentAt`. Stops early when the client went away.
 */
async function writeSse(
  res: ServerResponse,
  events: SseEvent[],
  chunked?: { delayMs: number; recorded: RecordedRequest },
): Promise<void> {
  for (const event of events) {
    const delta = (event as { delta?: { type?: string } }).delta;
    if (chunked && event.type === 'content_block_delta' && delta?.type === 'text_delta') {
      const sent = (chunked.recorded.chunksSentAt ??= []);
      if (sent.length > 0 && chunked.delayMs > 0) await pause(chunked.delayMs, res);
      if (res.destroyed) return;
      sent.push(new Date());
    }
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
}

/** Waits `ms`, or less when the response is closed (the client went away, or the server closed). */
function pause(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}
