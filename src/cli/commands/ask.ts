/**
 * `convo ask`: queues a turn and prints its reply; on a terminal, the reply's text as the model writes it (then the
 * rest of it once the turn completed), with a spinner on the turn's progress in between. With a JSON
 * schema the reply is the structured object, printed as JSON. Calls the CLI refused in the turn follow on stderr,
 * with the command that allows them. When the turn waits for a person, it asks right there on a terminal; elsewhere
 * it prints one line and exits 3 (a tool call or question waits) or 4 (needs attention), unless `--wait`.
 */
import type { Command } from 'commander';
import type { ConvoClient } from '../../client/client.js';
import { refusalLines } from '../format/denials.js';
import { askAndFollow, EXIT_NEEDS_ATTENTION, EXIT_WAITS_FOR_DECISION } from '../ask-wait.js';
import { promptFrom, withClient } from '../with-client.js';

/** The tools the conversation allows now, to keep in the hint; none when they cannot be read in 2 s. */
async function allowedTools(client: ConvoClient, id: string): Promise<string[]> {
  return client.state(id, 2_000).then(
    (s) => s.options?.allowedTools ?? [],
    () => [],
  );
}

/** Adds `convo ask` to `program`. */
export function askCommand(program: Command): void {
  program
    .command('ask')
    .description('queue a turn and print its reply; TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .option('--wait', 'when the turn waits for a person, wait for the reply instead of exiting')
    .addHelpText(
      'after',
      `
When the turn waits for a person: on a terminal, convo ask shows the tool call (or question) and asks you right
there; otherwise it prints one line on stderr with the command that ends the wait and exits (the turn keeps waiting):
  ${EXIT_WAITS_FOR_DECISION}  a tool call waits for approval, or a question for an answer (convo approve/deny/answer)
  ${EXIT_NEEDS_ATTENTION}  the turn needs attention: credentials, billing, a spent budget (convo resume/skip/configure)`,
    )
    .action(async (id: string, text: string[], opts: { wait?: boolean }) =>
      withClient(async (client) => {
        const outcome = await askAndFollow(client, id, promptFrom(text), { wait: opts.wait === true });
        if ('waiting' in outcome) {
          console.error(outcome.waiting);
          process.exitCode = outcome.exitCode;
          return;
        }
        const { reply, live } = outcome;
        if (live) live.finish(reply);
        else console.log(reply.structured !== undefined ? JSON.stringify(reply.structured, null, 2) : reply.reply);
        if (reply.denials?.length) {
          for (const line of refusalLines(id, reply.denials, await allowedTools(client, id))) console.error(line);
        }
      }),
    );
}
