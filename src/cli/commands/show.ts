/**
 * `convo show`: a conversation's state.
 */
import type { Command } from 'commander';
import { formatState } from '../format/state.js';
import { withClient } from '../with-client.js';

/** Adds `convo show` to `program`. */
export function showCommand(program: Command): void {
  program
    .command('show')
    .description('show a conversation')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      withClient(async (client) => {
        const state = await client.state(id);
        console.log(opts.json ? JSON.stringify(state, null, 2) : formatState(state));
      }),
    );
}
