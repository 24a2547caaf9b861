/**
 * A codec server: Temporal's remote codec protocol over HTTP, so that the Web UI and the `temporal` CLI
 * (`--codec-endpoint`) show Convo's payloads (compressed, maybe encrypted) as the JSON they hold.
 *
 * Protocol (docs.temporal.io/codec-server; the same as the SDK samples' codec servers): `POST /decode` and
 * `POST /encode` (also under a namespace prefix, `/{namespace}/decode`, as the CLI's endpoint template makes) with a
 * JSON body `{"payloads":[{"metadata":{"encoding":"<base64>",...},"data":"<base64>"}]}` (proto3 JSON of
 * `temporal.api.common.v1.Payloads`: every bytes field base64) answer the same shape, the payloads run through the
 * codecs. Browsers get CORS for the configured origins (the Web UI sends `Content-Type`, `X-Namespace` and maybe
 * `Authorization`, with credentials). With `authTokens`, `/decode` and `/encode` answer only requests carrying
 * `Authorization: Bearer <one of them>` (401 otherwise; CORS preflights, which browsers send without credentials,
 * pass). Without, anyone who reaches it can decrypt: bind it to 127.0.0.1, or put it behind something that
 * authenticates. `X-Namespace` is not checked.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { DEFAULT_CODEC_PORT, localUiUrl } from '../config/server.js';

/** Options for {@link startCodecServer}. */
export interface CodecServerOptions {
  /** Codecs in the order the SDK encodes with (`createPayloadCodecs`); /decode runs them backwards. */
  codecs: PayloadCodec[];
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default {@link DEFAULT_CODEC_PORT}; 0 picks a free one. */
  port?: number;
  /** Browser origins allowed by CORS (exact `scheme://host:port`, or `*`); default the local Web UI's ({@link localUiUrl}). */
  corsOrigins?: string[];
  /** Largest request body, bytes; default 64 MiB. Larger ones get 413. */
  maxBodyBytes?: number;
  /** Bearer tokens that may call /decode and /encode (`Authorization: Bearer <token>`); none: no check. */
  authTokens?: string[];
  /** Called with one line per refused request (never with payload contents nor tokens). */
  log?: (line: string) => void;
}

/** A running codec server. */
export interface CodecServer {
  /** Base URL, e.g. `http://127.0.0.1:<port>`: the Web UI's codec endpoint and the CLI's `--codec-endpoint`. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Headers the Web UI sends to a codec server. */
const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const Base64 = z.string().regex(BASE64, 'is not base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).nullish(), data: Base64.nullish() });
// proto3 JSON leaves out an empty repeated field: `{}` is an empty list of payloads (the `temporal` CLI sends it).
const Body = z.strictObject({ payloads: z.array(JsonPayload).default([]) });
type JsonPayload = z.infer<typeof JsonPayload>;

/** A request refused with a status and a one-line reason, answered as `{"error": reason}`. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts a codec server and resolves once it listens.
 * @returns its URL and a `close()`.
 * @throws Error when it cannot listen (the message names the address, e.g. when the port is taken).
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const host = options.host ?? '127.0.0.1';
  const origins = options.corsOrigins ?? [localUiUrl()];
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const { codecs } = options;
  // Compared as SHA-256 digests with timingSafeEqual: equal lengths, and no timing hint of a token's prefix.
  const tokenDigests = (options.authTokens ?? []).map(sha256);
  const authorized = (header: string | undefined): boolean => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) return false;
    const digest = sha256(token);
    return tokenDigests.some((d) => timingSafeEqual(d, digest));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 400;
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      options.log?.(`codec server: ${req.method} ${req.url}: ${status} ${message}`);
      if (!res.headersSent) send(res, status, { error: message });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    const originAllowed = origin === undefined || origins.includes('*') || origins.includes(origin);
    if (origin !== undefined) res.setHeader('Vary', 'Origin');
    if (origin !== undefined && originAllowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    const action = path.endsWith('/decode') ? 'decode' : path.endsWith('/encode') ? 'encode' : undefined;
    if (!action) throw new HttpError(404, `no such endpoint ${path || '/'}: use POST /decode or POST /encode`);
    if (!originAllowed) throw new HttpError(403, `origin ${origin} is not allowed (allowed: ${origins.join(', ')})`);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      // Chrome's Private Network Access preflight, for a UI served from another address than the codec server.
      if (req.headers['access-control-request-private-network'] === 'true')
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      throw new HttpError(405, `${req.method} not allowed: use POST`);
    }
    if (tokenDigests.length > 0 && !authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpError(
        401,
        req.headers.authorization ? 'Authorization: token not accepted' : 'Authorization: Bearer <token> required',
      );
    }
    const body = await readBody(req, maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'body is not JSON: expected {"payloads":[{"metadata":{...},"data":"<base64>"}]}');
    }
    const parsed = Body.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpError(400, `bad body at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    let payloads = parsed.data.payloads.map(fromJson);
    // The SDK's order: encode through the codecs first to last, decode last to first.
    if (action === 'encode') for (const codec of codecs) payloads = await codec.encode(payloads);
    else for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    send(res, 200, { payloads: payloads.map(toJson) });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(
        new Error(
          `codec server cannot listen on ${host}:${options.port ?? DEFAULT_CODEC_PORT}: ${err.code === 'EADDRINUSE' ? 'address in use' : err.message}`,
        ),
      );
    server.once('error', onError);
    server.listen(options.port ?? DEFAULT_CODEC_PORT, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The request body; 413 past `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, `body is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: data == null ? undefined : new Uint8Array(Buffer.from(data, 'base64')),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: data == null ? undefined : Buffer.from(data).toString('base64'),
  };
}
