/**
 * `convo ask`: queues a turn and prints its reply, with a spinner on the turn's progress in a terminal. With a JSON
 * schema the reply is the structured object, printed as JSON. Calls the CLI refused in the turn follow on stderr,
 * with the command that allows them.
 */
import type { Command } from 'commander';
import type { ConvoClient } from '../../client/client.js';
import { refusalLines } from '../format/denials.js';
import { withProgress } from '../spinner.js';
import { promptFrom, withClient } from '../with-client.js';

/** The tools the conversation allows now, to keep in the hint; none when they cannot be read in 2 s. */
async function allowedTools(client: ConvoClient, id: string): Promise<string[]> {
  return client.state(id, 2_000).then(
    (s) => s.options?.allowedTools ?? [],
    () => [],
  );
}

/** Adds `convo ask` to `program`. */
export function askCommand(program: Command): void {
  program
    .command('ask')
    .description('queue a turn and print its reply; TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) =>
      withClient(async (client) => {
        const reply = await withProgress(client, id, client.ask(id, promptFrom(text)));
        console.log(reply.structured !== undefined ? JSON.stringify(reply.structured, null, 2) : reply.reply);
        if (reply.denials?.length) {
          for (const line of refusalLines(id, reply.denials, await allowedTools(client, id))) console.error(line);
        }
      }),
    );
}
