/**
 * What the commands that talk to conversations share: a connected client for the length of the command, and the
 * prompt from the arguments or stdin.
 */
import { readFileSync } from 'node:fs';
import { ConvoClient } from '../client/client.js';
import { loadClientConfig } from '../config/client.js';

/** Runs `run` with a client connected with the environment's client configuration, and closes it after. */
export async function withClient(run: (client: ConvoClient) => Promise<void>): Promise<void> {
  const client = await ConvoClient.connect(loadClientConfig());
  try {
    await run(client);
  } finally {
    await client.shutdown();
  }
}

/** The prompt of `TEXT...` arguments: joined with spaces, or stdin when the only argument is `-`. */
export function promptFrom(text: string[]): string {
  return text.length === 1 && text[0] === '-' ? readFileSync(0, 'utf8') : text.join(' ');
}
