/**
 * `convo codec-server`: Temporal's remote codec protocol, so the Web UI and `temporal --codec-endpoint` show payloads.
 */
import type { Command } from 'commander';
import { loadCodecAuthTokens, loadEncryptionKeys } from '../../config/codec-keys.js';
import { DEFAULT_CODEC_PORT, localUiUrl } from '../../config/server.js';
import { describeCodecs, listenCodecServer } from '../codec.js';
import { parsePort } from '../options.js';

/** Adds `convo codec-server` to `program`. */
export function codecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      "serve Temporal's remote codec protocol (POST /decode, /encode) so the Web UI and `temporal --codec-endpoint` " +
        'show payloads as JSON: decompresses always, decrypts with the keys in the environment',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', parsePort, DEFAULT_CODEC_PORT)
    .option('--cors-origin <origins...>', 'browser origins (Web UIs) allowed to call it, or *', [localUiUrl()])
    .action(async (opts: { host: string; port: number; corsOrigin: string[] }) => {
      const keys = loadEncryptionKeys();
      const authTokens = loadCodecAuthTokens();
      const codec = await listenCodecServer(keys, {
        host: opts.host,
        port: opts.port,
        corsOrigins: opts.corsOrigin,
        authTokens,
        portOption: '--port',
      });
      const auth = authTokens
        ? `requires Authorization: Bearer (${authTokens.length} token${authTokens.length === 1 ? '' : 's'})`
        : 'no Authorization check';
      console.log(
        `codec server at ${codec.url} (${describeCodecs(keys)}), CORS for ${opts.corsOrigin.join(', ')}, ${auth}`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await codec.close();
    });
}
