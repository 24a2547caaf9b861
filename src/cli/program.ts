/**
 * The `convo` command tree, built from one module per command (src/cli/commands/). `argv` handling is commander's.
 */
import { Command, type ErrorOptions } from 'commander';
import { answerCommand } from './commands/answer.js';
import { approveCommand } from './commands/approve.js';
import { askCommand } from './commands/ask.js';
import { cancelCommand } from './commands/cancel.js';
import { closeCommand } from './commands/close.js';
import { compactCommand } from './commands/compact.js';
import { configureCommand } from './commands/configure.js';
import { denyCommand } from './commands/deny.js';
import { diffCommand } from './commands/diff.js';
import { codecServerCommand } from './commands/codec-server.js';
import { exportCommand } from './commands/export.js';
import { forkCommand } from './commands/fork.js';
import { historyCommand } from './commands/history.js';
import { listCommand } from './commands/list.js';
import { resumeCommand } from './commands/resume.js';
import { sendCommand } from './commands/send.js';
import { serverCommand } from './commands/server.js';
import { showCommand } from './commands/show.js';
import { skipCommand } from './commands/skip.js';
import { startCommand } from './commands/start.js';
import { watchCommand } from './commands/watch.js';
import { workerCommand } from './commands/worker.js';

/** Every command, in the order `convo --help` lists them. */
const COMMANDS: Array<(program: Command) => void> = [
  serverCommand,
  codecServerCommand,
  workerCommand,
  startCommand,
  sendCommand,
  askCommand,
  watchCommand,
  historyCommand,
  exportCommand,
  diffCommand,
  forkCommand,
  cancelCommand,
  approveCommand,
  denyCommand,
  answerCommand,
  configureCommand,
  compactCommand,
  showCommand,
  listCommand,
  resumeCommand,
  skipCommand,
  closeCommand,
];

/** Usage errors that are one line without the help after them: the help would bury them. */
const ONE_LINE_ERRORS = new Set(['commander.invalidArgument', 'commander.conflictingOption']);

/**
 * A command whose usage errors are followed by its help, except a bad option or argument value
 * (`error: option '--limit <n>' argument 'abc' is invalid. not a positive whole number`) and options that exclude
 * each other (`error: option '--cwd <dir>' cannot be used with option '--repo <url>'`), which are one line.
 */
class ConvoCommand extends Command {
  override createCommand(name?: string): ConvoCommand {
    return new ConvoCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    if (ONE_LINE_ERRORS.has(errorOptions?.code ?? '')) this.showHelpAfterError(false);
    return super.error(message, errorOptions);
  }
}

/** Builds the command tree. */
export function buildProgram(): Command {
  const program = new ConvoCommand('convo')
    .description('Durable Claude Code conversations on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  for (const add of COMMANDS) add(program);
  return program;
}
