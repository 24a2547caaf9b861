/**
 * `convo ask`: queues a turn and prints its reply, with a spinner on the turn's progress in a terminal. With a JSON
 * schema the reply is the structured object, printed as JSON. Calls the CLI refused in the turn follow on stderr,
 * with the command that allows them.
 */
import type { Command } from 'commander';
import type { ConvoClient } from '../../client/client.js';
import type { TurnReply } from '../../common/conversation.js';
import { allowHint, denialLine } from '../format/denials.js';
import { withProgress } from '../spinner.js';
import { promptFrom, withClient } from '../with-client.js';

/**
 * The stderr lines for a turn's refused calls: one per call, then the `convo configure` command that allows them
 * (keeping the tools allowed now, read from the conversation's options; without them when they cannot be read).
 */
export async function refusalLines(client: ConvoClient, id: string, reply: TurnReply): Promise<string[]> {
  const denials = reply.denials ?? [];
  if (denials.length === 0) return [];
  const allowed = await client.state(id, 2_000).then(
    (s) => s.options?.allowedTools ?? [],
    () => [],
  );
  return [
    ...denials.map(denialLine),
    `the CLI refused ${denials.length === 1 ? 'this call' : 'these calls'}; to allow from the next turn on:`,
    `  ${allowHint(id, denials, allowed)}`,
  ];
}

/** Adds `convo ask` to `program`. */
export function askCommand(program: Command): void {
  program
    .command('ask')
    .description('queue a turn and print its reply; TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) =>
      withClient(async (client) => {
        const reply = await withProgress(client, id, client.ask(id, promptFrom(text)));
        console.log(reply.structured !== undefined ? JSON.stringify(reply.structured, null, 2) : reply.reply);
        for (const line of await refusalLines(client, id, reply)) console.error(line);
      }),
    );
}
