/**
 * `convo compact`: compacts a conversation's session now (the CLI's own compaction) and prints its reply.
 */
import type { Command } from 'commander';
import { withProgress } from '../spinner.js';
import { withClient } from '../with-client.js';

/** Adds `convo compact` to `program`. */
export function compactCommand(program: Command): void {
  program
    .command('compact')
    .description("compact the conversation's session now (the CLI's own compaction; a turn in the record)")
    .argument('<id>')
    .action(async (id: string) =>
      withClient(async (client) => {
        const { reply } = await withProgress(client, id, client.compact(id));
        console.log(reply);
      }),
    );
}
