/**
 * `convo worker`: a worker in the foreground.
 */
import type { Command } from 'commander';
import { runWorker } from '../../worker/main.js';

/** Adds `convo worker` to `program`. */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker in the foreground (stops on SIGINT/SIGTERM)')
    .action(async () => runWorker());
}
