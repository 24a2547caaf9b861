/**
 * `convo worker`: runs a worker in the foreground until SIGINT or SIGTERM.
 */
import { loadConfig } from '../config.js';
import { createConvoWorker } from './worker.js';

/** Runs a worker with the environment's configuration; resolves when it has shut down. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const { worker, connection } = await createConvoWorker(config);
  try {
    const encryption = config.encryption?.encryptKeyId ? `, payloads encrypted with key id ${config.encryption.encryptKeyId}` : '';
    console.error(`convo worker: task queue ${config.taskQueue} on ${config.temporalAddress}, claude at ${config.claudePath}${encryption}`);
    // SIGTERM/SIGINT (the SDK's default shutdown signals) stop polling; running turns get the grace period.
    await worker.run();
    console.error('convo worker: stopped');
  } finally {
    await connection.close();
  }
}
