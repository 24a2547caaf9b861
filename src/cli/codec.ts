/**
 * The codec server as `convo server` and `convo codec-server` start it, and how they describe it.
 */
import { createPayloadCodecs } from '../codec/data-converter.js';
import { startCodecServer, type CodecServer } from '../codec/server.js';
import type { EncryptionKeys } from '../config/codec-keys.js';

/**
 * Starts the codec server with the configuration's codecs.
 * @param options.portOption the option that sets the port, named in the message when the port is taken.
 */
export async function listenCodecServer(
  keys: EncryptionKeys | undefined,
  options: { host?: string; port: number; corsOrigins: string[]; authTokens?: string[]; portOption: string },
): Promise<CodecServer> {
  try {
    return await startCodecServer({
      codecs: createPayloadCodecs({ encryption: keys }),
      host: options.host,
      port: options.port,
      corsOrigins: options.corsOrigins,
      authTokens: options.authTokens,
      log: (line) => console.error(line),
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(
      /address in use/.test(message) ? `${message} (choose another with ${options.portOption})` : message,
      { cause: err },
    );
  }
}

/** What the codecs of this configuration do, naming key ids only. */
export function describeCodecs(keys: EncryptionKeys | undefined): string {
  if (!keys) return 'decompresses; holds no encryption key';
  const ids = [...keys.keys.keys()].join(', ');
  return `decompresses, decrypts key ids ${ids}${keys.encryptKeyId ? `, encrypts with ${keys.encryptKeyId}` : ''}`;
}
