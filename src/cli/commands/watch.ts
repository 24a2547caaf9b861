/**
 * `convo watch`: follows a conversation live.
 */
import type { Command } from 'commander';
import { parseMilliseconds } from '../options.js';
import { watch } from '../watch.js';
import { withClient } from '../with-client.js';

/** Adds `convo watch` to `program`. */
export function watchCommand(program: Command): void {
  program
    .command('watch')
    .description('follow a conversation live: turns, tool calls, replies, waits (Ctrl-C to stop)')
    .argument('<id>')
    .option('--until-idle', 'exit once no turn is running, queued or waiting')
    .option('--interval <ms>', 'how often to look, ms', parseMilliseconds, 500)
    .action(async (id: string, opts: { untilIdle?: boolean; interval: number }) =>
      withClient((client) => watch(client, id, { untilIdle: opts.untilIdle === true, intervalMs: opts.interval })),
    );
}
