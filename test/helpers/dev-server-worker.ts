/**
 * Workflow tests that need the real dev server (history size, search attributes: the time-skipping test server has
 * neither) run the conversation workflow on a worker of their own, with the turn activity faked.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { joinAccount } from '../../src/activities/account.js';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { workflowsPath } from '../../src/worker/worker.js';

/**
 * Runs `body` while a worker on a fresh task queue of the suite's dev server (`TEMPORAL_ADDRESS`) runs the workflows
 * with `runTurn` as the turn activity (and the real `joinAccount`); closes both connections after.
 * @param name prefix of the task queue (`<name>-<ms>`), which tests also use as workflow id and account.
 */
export async function withDevServerWorker(
  name: string,
  runTurn: (input: TurnInput) => Promise<TurnResult>,
  body: (client: Client, taskQueue: string) => Promise<void>,
): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `${name}-${Date.now()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath,
      activities: { runTurn, joinAccount },
    });
    await worker.runUntil(body(new Client({ connection }), taskQueue));
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}
