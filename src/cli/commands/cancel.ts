/**
 * `convo cancel`: cancels the running (or waiting) turn.
 */
import type { Command } from 'commander';
import { withClient } from '../with-client.js';

/** Adds `convo cancel` to `program`. */
export function cancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel the running (or waiting) turn: its CLI is killed and the turn fails with Cancelled')
    .argument('<id>')
    .action(async (id: string) =>
      withClient(async (client) => {
        const index = await client.cancel(id);
        console.log(`cancelled turn ${index + 1} of ${id}`);
      }),
    );
}
