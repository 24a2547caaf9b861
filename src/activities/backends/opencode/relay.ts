/**
 * A per-turn HTTP relay between opencode and the model API, on 127.0.0.1.
 *
 * Why: opencode 1.18.33 retries a failed model call itself (429, 408, 409, 5xx, connection errors: up to 5 more
 * times, waiting as long as `retry-after` says, or 2 s, 4 s, … up to 30 s), has no setting or variable to turn that
 * off, and prints nothing while it waits. A durable orchestrator must see the first refusal: a 429's `retry-after` is
 * when the account may try again (a durable timer, not a process sleeping in a worker), and a 5xx is Temporal's to
 * retry. The relay forwards every request unchanged and streams every response back unchanged; it only watches the
 * status and headers of the responses, and reports failures as they happen, so the turn can end opencode's run at
 * the first one (see `backend.ts`).
 *
 * It forwards what opencode sends, credentials included, and keeps nothing of it; it records only responses'
 * statuses, headers and (for failures) bodies. It does not use `HTTP(S)_PROXY`: a worker that needs a proxy to reach
 * the API turns the relay off (`CONVO_OPENCODE_RELAY=0`).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { oneLine } from '../../../common/text.js';

/** A response of the model API with status 400 or more, or a request that reached no response. */
export interface RelayedFailure {
  /** HTTP status; 502 when the API could not be reached. */
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** The response body (at most 64 KiB), or the network error. */
  body: string;
  /** The API's message: the body's `error.message` when it is an Anthropic/OpenAI error body, else the body. */
  message: string;
  /** Whether the request was the agent loop's (it offered tools), not a side request such as the session title. */
  mainLoop: boolean;
  /** Whether the API could not be reached at all. */
  unreachable: boolean;
}

/** A running relay. */
export interface ApiRelay {
  /** The base URL to give opencode instead of the API's (same path, e.g. `http://127.0.0.1:PORT/v1`). */
  url: string;
  /** Failures seen so far, in order. */
  failures: RelayedFailure[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);
const MAX_FAILURE_BODY = 64 * 1024;

/**
 * Starts a relay to `upstreamBase` (e.g. `https://api.anthropic.com/v1`).
 * @param onFailure called for each failure, once its body has been read (before it reaches opencode).
 */
export async function startApiRelay(
  upstreamBase: string,
  onFailure: (failure: RelayedFailure) => void,
): Promise<ApiRelay> {
  const upstream = new URL(upstreamBase);
  const failures: RelayedFailure[] = [];
  const report = (failure: RelayedFailure): void => {
    failures.push(failure);
    onFailure(failure);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const mainLoop = offersTools(body);
      const target = new URL(req.url ?? '/', upstream.origin);
      const headers = copyHeaders(req.headers);
      // Plain bodies, so that the status and error bodies can be read; streams are not compressed by the API anyway.
      delete headers['accept-encoding'];
      headers['content-length'] = String(body.length);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const up = send(target, { method: req.method, headers }, (upRes) => {
        const status = upRes.statusCode ?? 502;
        const resHeaders = copyHeaders(upRes.headers);
        if (status < 400) {
          res.writeHead(status, resHeaders);
          upRes.pipe(res);
          return;
        }
        void readAll(upRes, MAX_FAILURE_BODY).then((errBody) => {
          const text = errBody.toString('utf8');
          report({
            status,
            headers: lowerCase(upRes.headers),
            body: text,
            message: apiMessage(text),
            mainLoop,
            unreachable: false,
          });
          delete resHeaders['content-length'];
          res.writeHead(status, resHeaders);
          res.end(errBody);
        });
      });
      up.on('error', (err) => {
        if (res.headersSent) {
          res.destroy(err);
          return;
        }
        const message = `cannot reach the model API at ${upstream.origin}: ${err.message}`;
        report({ status: 502, headers: {}, body: err.message, message, mainLoop, unreachable: true });
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }));
      });
      // opencode gone (killed, or it gave up on the request): stop the upstream request too.
      res.on('close', () => up.destroy());
      up.end(body);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `Convo relay: ${String(err)}` } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const path = upstream.pathname.replace(/\/$/, '');
  return {
    url: `http://127.0.0.1:${port}${path}`,
    failures,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** True when the request body is JSON with a non-empty `tools` list (the agent loop's calls; titles have none). */
function offersTools(body: Buffer): boolean {
  try {
    const json = JSON.parse(body.toString('utf8')) as { tools?: unknown };
    return Array.isArray(json.tools) && json.tools.length > 0;
  } catch {
    return false;
  }
}

/** `error.message` of an Anthropic (`{type:'error', error:{type, message}}`) or OpenAI error body, else the text. */
function apiMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof json.error === 'object' && typeof json.error.message === 'string') return json.error.message;
    if (typeof json.error === 'string') return json.error;
    if (typeof json.message === 'string') return json.message;
  } catch {
    // not JSON
  }
  return oneLine(body, 300);
}

function copyHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(key) && value !== undefined) out[key] = value;
  return out;
}

function lowerCase(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers))
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

async function readAll(stream: IncomingMessage, limit = Infinity): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size < limit) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const all = Buffer.concat(chunks);
  return all.length > limit ? all.subarray(0, limit) : all;
}
