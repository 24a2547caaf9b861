/**
 * `convo approve`: runs the tool call a conversation waits on.
 */
import type { Command } from 'commander';
import { decideAndPrint } from '../decide.js';
import { withClient } from '../with-client.js';

/** Adds `convo approve` to `program`. */
export function approveCommand(program: Command): void {
  program
    .command('approve')
    .description('run the tool call the conversation waits on (status needs_approval); the turn goes on')
    .argument('<id>')
    .option('--always', "also allow the call's rule for the rest of the conversation")
    .action(async (id: string, opts: { always?: boolean }) =>
      withClient(async (client) => {
        const { call } = await decideAndPrint(client, id, () => client.approve(id, { always: opts.always === true }));
        if (opts.always) console.log(`  ${call?.rule ? `${call.rule} is` : 'its rule is'} allowed from now on`);
      }),
    );
}
