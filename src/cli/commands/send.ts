/**
 * `convo send`: queues a turn and returns at once.
 */
import type { Command } from 'commander';
import { promptFrom, withClient } from '../with-client.js';

/** Adds `convo send` to `program`. */
export function sendCommand(program: Command): void {
  program
    .command('send')
    .description('queue a turn (returns at once); TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) => withClient((client) => client.send(id, promptFrom(text))));
}
