/**
 * `convo history`: the conversation as a chat, from its transcript.
 */
import type { Command } from 'commander';
import { formatChat } from '../format/chat.js';
import { withClient } from '../with-client.js';

/** Adds `convo history` to `program`. */
export function historyCommand(program: Command): void {
  program
    .command('history')
    .description('print the conversation as a chat (prompts, replies, tool calls and results), from its transcript')
    .argument('<id>')
    .option('--json', 'print the turns as JSON')
    .option('--full', 'do not cut long tool results')
    .action(async (id: string, opts: { json?: boolean; full?: boolean }) =>
      withClient(async (client) => {
        const chat = await client.chat(id);
        if (opts.json) console.log(JSON.stringify(chat, null, 2));
        else console.log(chat.length === 0 ? 'no turns yet' : formatChat(chat, { maxResultLines: opts.full ? 0 : 20 }));
      }),
    );
}
