/**
 * `convo diff`: what a turn changed in the conversation's workspace, or what the whole conversation changed, as a
 * unified diff on stdout. A change of nothing prints nothing, and says so on stderr.
 */
import type { Command } from 'commander';
import { parsePositiveInt } from '../options.js';
import { withClient } from '../with-client.js';

/** Adds `convo diff` to `program`. */
export function diffCommand(program: Command): void {
  program
    .command('diff')
    .description("print the conversation's changes as a unified diff: of one turn, or of all its turns")
    .argument('<id>')
    .option('--turn <n>', 'only turn N (1 is the first)', parsePositiveInt)
    .action(async (id: string, opts: { turn?: number }) =>
      withClient(async (client) => {
        const diff = await client.diff(id, { turn: opts.turn });
        if (diff.text) process.stdout.write(diff.text);
        else
          console.error(
            opts.turn !== undefined ? `turn ${opts.turn} changed no files` : `conversation ${id} changed no files`,
          );
      }),
    );
}
