/**
 * `convo configure`: changes a conversation's agent options between turns.
 */
import type { Command } from 'commander';
import { addConfigureFlags, configureInput, type ConfigureFlags } from '../agent-flags.js';
import { withClient } from '../with-client.js';

/** Adds `convo configure` to `program`. */
export function configureCommand(program: Command): void {
  const command = program
    .command('configure')
    .description(
      'change the options of a conversation from its next turn on: model, tools, permission mode, MCP servers, limits',
    )
    .argument('<id>');
  addConfigureFlags(command).action(async (id: string, opts: ConfigureFlags) => {
    // Checked before connecting: a flag that is wrong needs no server to say so.
    const input = configureInput(opts);
    await withClient(async (client) => {
      const revision = await client.configure(id, input);
      console.log(`configured ${id}: revision ${revision} (applies from the next turn)`);
    });
  });
}
