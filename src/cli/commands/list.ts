/**
 * `convo list`: conversations, newest first, from Temporal's visibility store.
 */
import { Option, type Command } from 'commander';
import { CONVERSATION_STATUSES, type ConversationStatus } from '../../common/conversation.js';
import { formatList } from '../format/list.js';
import { parsePositiveInt } from '../options.js';
import { withClient } from '../with-client.js';

/** Adds `convo list` to `program`. */
export function listCommand(program: Command): void {
  program
    .command('list')
    .description('list conversations, newest first')
    .addOption(
      new Option('--status <status>', 'only conversations with this status').choices([...CONVERSATION_STATUSES]),
    )
    .option('--limit <n>', 'at most this many', parsePositiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; status?: ConversationStatus; limit: number }) =>
      withClient(async (client) => {
        const rows = await client.list({ status: opts.status, limit: opts.limit });
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) console.log(opts.status ? `no ${opts.status} conversations` : 'no conversations');
        else console.log(formatList(rows));
      }),
    );
}
