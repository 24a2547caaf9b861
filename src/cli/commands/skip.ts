/**
 * `convo skip`: fails the turn that needs attention.
 */
import type { Command } from 'commander';
import { withClient } from '../with-client.js';

/** Adds `convo skip` to `program`. */
export function skipCommand(program: Command): void {
  program
    .command('skip')
    .description('fail the turn that needs attention and go on with the next')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.skip(id)));
}
