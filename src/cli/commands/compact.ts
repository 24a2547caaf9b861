/**
 * `convo compact`: compacts a conversation's session now (the CLI's own compaction) and says so, with the CLI's reply
 * when it gave one (Claude Code's `/compact` replies with nothing: its summary goes into the transcript).
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
        const { reply, index, costUsd } = await withProgress(client, id, client.compact(id));
        const cost = costUsd === undefined ? '' : ` ($${costUsd.toFixed(4)})`;
        console.log(`compacted ${id}: turn ${index + 1}${cost}`);
        if (reply.trim()) console.log(reply);
      }),
    );
}
