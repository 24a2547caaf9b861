/** Reading what `convo`'s option parsing makes of a command line, without running the command. */
import type { Command } from 'commander';
import type { ConfigureFlags } from '../../src/cli/agent-flags.js';
import { buildProgram } from '../../src/cli/program.js';

/** The options commander gives `command`'s action for `args` (nothing runs). */
export async function flagsOf(command: string, args: string[]): Promise<ConfigureFlags> {
  const program = buildProgram().exitOverride();
  let flags: ConfigureFlags | undefined;
  const sub = program.commands.find((c: Command) => c.name() === command)!;
  sub.exitOverride().action((...received: unknown[]) => {
    flags = received.at(-2) as ConfigureFlags;
  });
  await program.parseAsync([command, ...args], { from: 'user' });
  return flags!;
}
