/**
 * `npm run record-history -- NAME`: records a conversation's event history, for the replay test
 * (test/workflow/replay.test.ts) to check that today's workflow code still replays what an earlier Convo wrote.
 *
 * Runs a fixed scenario on a fresh dev server with an in-process worker and the real `claude` against the scripted
 * model server: a turn that completes, a turn held for 3.5 s (long enough for current-details refreshes, where the
 * code has them), a turn cancelled with `cancelTurn` (where the code has it), a `configure` then a turn and a
 * `compact`, and a Bash call that waits for approval and is approved (where the code has them), another turn, then
 * `close`. Writes
 * `test/fixtures/histories/NAME.binpb`: the `temporal.api.history.v1.History` protobuf, binary (the SDK's JSON
 * conversion fails with the protobufjs copies npm installs here); payloads gzip-encoded by Convo's codec, never
 * encrypted. Run it from a checkout of the Convo version to record.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConvoClient } from '../client/client.js';
import { loadClientConfig } from '../config/client.js';
import { loadWorkerConfig } from '../config/worker.js';
import { projectRoot } from '../paths.js';
import { startDevServer } from '../server/dev-server.js';
import { createConvoWorker } from '../worker/worker.js';
import { ScriptedModelServer } from './index.js';

async function main(name: string): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = await mkdtemp(join(tmpdir(), 'convo-record-history-'));
  const model = await ScriptedModelServer.start();
  const server = await startDevServer();
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    CONVO_TRANSCRIPT_DIR: join(dir, 'transcripts'),
    CONVO_ENCRYPTION_KEY: '',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'sk-convo-record-history',
  };
  Object.assign(process.env, env);
  const worker = await createConvoWorker(loadWorkerConfig(env));
  const client = await ConvoClient.connect(loadClientConfig(env));
  const hold = (prompt: string) => model.hold(prompt, { text: `reply to ${prompt}` });
  try {
    const history = await worker.runUntil(async () => {
      const cwd = join(dir, 'workspace');
      await mkdir(cwd, { recursive: true });
      // detailsRefreshS is dropped by versions that do not know it.
      const id = await client.start({ cwd, title: `recorded: ${name}`, detailsRefreshS: 1 });
      await client.ask(id, 'first turn');
      const slow = hold('a slow turn');
      const asked = client.ask(id, 'a slow turn');
      await slow.arrived;
      await new Promise((r) => setTimeout(r, 3_500));
      slow.release();
      await asked;
      // Versions before issue 14 have no warm sessions: the slow turn ran on the CLI the first one left; once the warm
      // worker is gone, the next turn waits for it (3 s), then runs on the shared task queue.
      const warm = (worker as { warm?: { worker: { shutdown(): void } } }).warm;
      if (warm) {
        await client.ask(id, 'a warm turn');
        warm.worker.shutdown();
        await client.ask(id, 'a turn after the warm worker left');
      }
      // Versions before `convo cancel` (issue 5) have no cancelTurn update: their history has no cancelled turn.
      if (typeof client.cancel === 'function') {
        const doomed = hold('a cancelled turn');
        await client.send(id, 'a cancelled turn');
        await doomed.arrived;
        await client.cancel(id);
        doomed.release();
      }
      // Versions before issue 11 have no configure and compact updates.
      if (typeof client.configure === 'function') {
        await client.configure(id, { maxTurns: 5, maxCostUsd: 100 });
        await client.ask(id, 'a configured turn');
        await client.compact(id);
      }
      // Versions before issue 12 have no approvals: a Bash call that waits, then is approved.
      if (typeof client.approve === 'function') {
        await client.configure(id, { approve: ['Bash'] });
        model.script([
          { toolUse: { name: 'Bash', input: { command: 'echo recorded > recorded.txt', description: 'write' } } },
          { text: 'wrote recorded.txt' },
        ]);
        const approved = client.ask(id, 'a call to approve');
        while ((await client.state(id)).status !== 'needs_approval') await new Promise((r) => setTimeout(r, 200));
        await client.approve(id, {});
        await approved;
      }
      await client.ask(id, 'last turn');
      await client.close(id);
      const handle = client.client.workflow.getHandle(id);
      await handle.result();
      return handle.fetchHistory();
    });
    const out = join(projectRoot, 'test', 'fixtures', 'histories', `${name}.binpb`);
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, proto.temporal.api.history.v1.History.encode(history).finish());
    console.log(`wrote ${out}: ${history.events?.length} events`);
  } finally {
    await client.shutdown();
    await worker.connection.close();
    await server.stop();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const name = process.argv[2];
if (!name || !/^[\w.-]+$/.test(name)) {
  console.error('usage: npm run record-history -- NAME   (writes test/fixtures/histories/NAME.binpb)');
  process.exit(2);
}
await main(name);
