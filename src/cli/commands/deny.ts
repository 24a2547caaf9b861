/**
 * `convo deny`: refuses the tool call a conversation waits on; the model is told why.
 */
import type { Command } from 'commander';
import { decideAndPrint } from '../decide.js';
import { withClient } from '../with-client.js';

/** Adds `convo deny` to `program`. */
export function denyCommand(program: Command): void {
  program
    .command('deny')
    .description('refuse the tool call (or question) the conversation waits on; the turn goes on without it')
    .argument('<id>')
    .option('--reason <text>', 'what the model is told instead of the tool result')
    .action(async (id: string, opts: { reason?: string }) =>
      withClient(async (client) => {
        await decideAndPrint(client, id, () => client.deny(id, { reason: opts.reason }));
      }),
    );
}
