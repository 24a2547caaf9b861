/**
 * Entry of the `convo` command (bin/convo.js imports this). Every failure prints one line, `convo: <reason>` (or
 * `TYPE: message` for a failed turn), and exits non-zero.
 */
import { ConvoError, TurnFailedError } from '../client/client.js';
import { DEFAULT_TEMPORAL_ADDRESS, loadTemporalSettings } from '../config/connection.js';
import { ConfigError } from '../config/env.js';
import { buildProgram } from './program.js';

/** The address `convo` connects to (profile or `TEMPORAL_ADDRESS`), for messages. */
function temporalAddress(): string {
  try {
    return loadTemporalSettings().address;
  } catch {
    return process.env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS;
  }
}

/** Runs the command line; prints one-line reasons for expected failures. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof TurnFailedError) console.error(`${err.type}: ${err.message}`);
    else if (err instanceof ConvoError || err instanceof ConfigError) console.error(`convo: ${err.message}`);
    else if ((err as { name?: string }).name === 'TransportError' || /connect|UNAVAILABLE/i.test(String(err))) {
      console.error(
        `convo: cannot reach Temporal at ${temporalAddress()} (start one with \`convo server\`, or set TEMPORAL_ADDRESS or a TEMPORAL_PROFILE): ${(err as Error).message}`,
      );
    } else console.error(`convo: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

await main();
