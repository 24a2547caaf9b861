/**
 * `convo close`: closes a conversation after its queued turns.
 */
import type { Command } from 'commander';
import { withClient } from '../with-client.js';

/** Adds `convo close` to `program`. */
export function closeCommand(program: Command): void {
  program
    .command('close')
    .description('close a conversation after its queued turns')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.close(id)));
}
