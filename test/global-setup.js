/**
 * Starts one Temporal dev server (headless, in memory, on a free port) for the whole run, unless TEMPORAL_ADDRESS
 * already points at a server that answers. Test files reach it through TEMPORAL_ADDRESS. Plain JavaScript on the
 * compiled code: jest loads global setup outside its module transform (`npm test` builds first).
 */
import { answers, startDevServer } from '../dist/server/dev-server.js';
import { freePort } from '../dist/server/free-port.js';

export default async function globalSetup() {
  const given = process.env.TEMPORAL_ADDRESS;
  if (given && (await answers(given))) return;
  const server = await startDevServer({ port: await freePort(), uiPort: false, readyTimeoutMs: 90_000 });
  globalThis.convoTestServer = server;
  process.env.TEMPORAL_ADDRESS = server.address;
}
