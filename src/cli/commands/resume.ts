/**
 * `convo resume`: runs again the turn that needs attention.
 */
import type { Command } from 'commander';
import { withClient } from '../with-client.js';

/** Adds `convo resume` to `program`. */
export function resumeCommand(program: Command): void {
  program
    .command('resume')
    .description('run again the turn that needs attention, once credentials or billing are fixed')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.resume(id)));
}
