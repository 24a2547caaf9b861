/**
 * Ports of the local servers Convo runs (`convo server`, `convo codec-server`, the demo) and the Web UI address
 * messages print: the defaults live here and nowhere else.
 */
import { z } from 'zod';
import { emptyAsUnset, parseEnv } from './env.js';

/** gRPC port of the Temporal dev server (Temporal's own default). */
export const DEFAULT_GRPC_PORT = 7233;
/** Port of the dev server's Web UI (Temporal's own default). */
export const DEFAULT_UI_PORT = 8233;
/** Port of `convo codec-server` and of the codec server `convo server` starts beside the dev server. */
export const DEFAULT_CODEC_PORT = 8081;

/** The Web UI base URL of a dev server on this machine whose UI listens on `uiPort`. */
export function localUiUrl(uiPort: number = DEFAULT_UI_PORT): string {
  return `http://localhost:${uiPort}`;
}

/** The browser origins of a local Web UI on `uiPort` (both host names a browser may use), for the codec's CORS. */
export function localUiOrigins(uiPort: number = DEFAULT_UI_PORT): string[] {
  return [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
}

const ServerEnv = z.object({
  // Where people open the Web UI when it is not the local dev server's (a shared cluster, Temporal Cloud).
  CONVO_WEB_UI_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
});

/** Where messages send people to see a conversation in the Web UI. */
export interface ServerConfig {
  /** Web UI base URL without a trailing slash: `CONVO_WEB_UI_URL`, else the local dev server's. */
  webUiUrl: string;
}

/**
 * Reads the Web UI address (`CONVO_WEB_UI_URL`, default {@link localUiUrl}).
 * @throws ConfigError when `CONVO_WEB_UI_URL` is not a URL.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const e = parseEnv(ServerEnv, env);
  return { webUiUrl: e.CONVO_WEB_UI_URL?.replace(/\/+$/, '') ?? localUiUrl() };
}
