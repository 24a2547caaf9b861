/**
 * `convo server`: the Temporal dev server in the foreground, with a codec server the Web UI shows payloads through.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadEncryptionKeys } from '../../config/codec-keys.js';
import { DEFAULT_CODEC_PORT, DEFAULT_GRPC_PORT, DEFAULT_UI_PORT, localUiOrigins } from '../../config/server.js';
import { dataDir } from '../../paths.js';
import { answers, startDevServer, type DevServer } from '../../server/dev-server.js';
import { describeCodecs, listenCodecServer } from '../codec.js';
import { parsePort } from '../options.js';

/** Adds `convo server` to `program`. */
export function serverCommand(program: Command): void {
  program
    .command('server')
    .description(
      'run the Temporal dev server in the foreground (Web UI on --ui-port), keeping data in a database file, and a codec ' +
        'server (on --codec-port) that the Web UI shows payloads through',
    )
    .option('--port <port>', 'gRPC port', parsePort, DEFAULT_GRPC_PORT)
    .option('--ui-port <port>', 'Web UI port', parsePort, DEFAULT_UI_PORT)
    .option('--codec-port <port>', 'codec server port', parsePort, DEFAULT_CODEC_PORT)
    .option('--db <file>', 'database file', join(dataDir, 'temporal.db'))
    .action(async (opts: { port: number; uiPort: number; codecPort: number; db: string }) => {
      // A server already answering (at TEMPORAL_ADDRESS, or on the port asked for) wins over starting another.
      for (const address of [process.env.TEMPORAL_ADDRESS, `127.0.0.1:${opts.port}`]) {
        if (address && (await answers(address))) {
          console.log(`a Temporal server already answers at ${address}; not starting another`);
          return;
        }
      }
      const keys = loadEncryptionKeys();
      const codec = await listenCodecServer(keys, {
        port: opts.codecPort,
        corsOrigins: localUiOrigins(opts.uiPort),
        portOption: '--codec-port',
      });
      let server: DevServer;
      try {
        server = await startDevServer({
          port: opts.port,
          uiPort: opts.uiPort,
          uiCodecEndpoint: codec.url,
          dbFile: opts.db,
          output: 'inherit',
        });
      } catch (err) {
        await codec.close();
        throw err;
      }
      console.log(`Temporal dev server at ${server.address}, Web UI at ${server.uiUrl}, data in ${opts.db}`);
      console.log(`codec server at ${codec.url} (${describeCodecs(keys)}); the Web UI shows payloads through it`);
      const stop = (): void => void server.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
      await codec.close();
    });
}
