/**
 * `convo ask`: queues a turn and prints its reply, with a spinner on the turn's progress in a terminal.
 */
import type { Command } from 'commander';
import { withProgress } from '../spinner.js';
import { promptFrom, withClient } from '../with-client.js';

/** Adds `convo ask` to `program`. */
export function askCommand(program: Command): void {
  program
    .command('ask')
    .description('queue a turn and print its reply; TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) =>
      withClient(async (client) => {
        const { reply } = await withProgress(client, id, client.ask(id, promptFrom(text)));
        console.log(reply);
      }),
    );
}
