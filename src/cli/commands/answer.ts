/**
 * `convo answer`: answers the question the agent asked (Claude Code's `AskUserQuestion`).
 */
import type { Command } from 'commander';
import { decideAndPrint } from '../decide.js';
import { promptFrom, withClient } from '../with-client.js';

/** Adds `convo answer` to `program`. */
export function answerCommand(program: Command): void {
  program
    .command('answer')
    .description('answer the question the agent asked; TEXT "-" reads the answer from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) =>
      withClient(async (client) => {
        await decideAndPrint(client, id, () => client.answer(id, promptFrom(text)));
      }),
    );
}
