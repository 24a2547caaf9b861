/**
 * `convo watch`: follows a conversation live: turns, the model's text as it is written (and its thinking with
 * `--thinking`), tool calls and results, replies, waits.
 */
import type { Command } from 'commander';
import { parseMilliseconds } from '../options.js';
import { watch } from '../watch.js';
import { withClient } from '../with-client.js';

/** Adds `convo watch` to `program`. */
export function watchCommand(program: Command): void {
  program
    .command('watch')
    .description(
      'follow a conversation live: turns, the text as it is written, tool calls and results, replies, waits (Ctrl-C to stop)',
    )
    .argument('<id>')
    .option('--until-idle', 'exit once no turn is running, queued or waiting')
    .option('--thinking', "print the model's thinking too")
    .option('--interval <ms>', 'how often to look, ms', parseMilliseconds, 250)
    .action(async (id: string, opts: { untilIdle?: boolean; thinking?: boolean; interval: number }) =>
      withClient((client) =>
        watch(client, id, {
          untilIdle: opts.untilIdle === true,
          thinking: opts.thinking === true,
          intervalMs: opts.interval,
        }),
      ),
    );
}
