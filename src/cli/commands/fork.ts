/**
 * `convo fork`: starts a new conversation that goes on from another as it was after one of its turns (its transcript
 * then, its workspace at that turn's commit), and prints the new id.
 */
import type { Command } from 'commander';
import { parsePositiveInt } from '../options.js';
import { promptFrom, withClient } from '../with-client.js';

/** Adds `convo fork` to `program`. */
export function forkCommand(program: Command): void {
  program
    .command('fork')
    .description(
      'start a conversation that goes on from ID as it was after turn N (default: its latest completed turn) and print its id; TEXT, if given, is queued as its first turn',
    )
    .argument('<id>')
    .argument('[text...]')
    .option('--at <n>', 'the turn to go on from (1 is the first)', parsePositiveInt)
    .option('--id <id>', 'id of the new conversation (default: generated)')
    .action(async (id: string, text: string[], opts: { at?: number; id?: string }) =>
      withClient(async (client) => {
        const prompt = text.length > 0 ? promptFrom(text) : undefined;
        console.log(await client.fork(id, { at: opts.at, id: opts.id, prompt }));
      }),
    );
}
