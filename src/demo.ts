/**
 * `npm run demo`: a 3-turn conversation through the real `claude` binary on a real Temporal dev server.
 *
 * Against Claude when credentials are present (`ANTHROPIC_API_KEY`, `CLAUDE_CODE_OAUTH_TOKEN` or a `claude login`),
 * otherwise against the project's scripted model server on loopback. Uses the Temporal server at `TEMPORAL_ADDRESS`
 * when one answers there, else starts the dev server with its database in `.convo/temporal.db` and stops it at the end.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConvoClient } from './client/client.js';
import { userClaudeConfig } from './activities/backends/claude/config-dir.js';
import { loadClientConfig } from './config/client.js';
import { loadServerConfig } from './config/server.js';
import { loadWorkerConfig } from './config/worker.js';
import { dataDir } from './paths.js';
import { answers, startDevServer, type DevServer } from './server/dev-server.js';
import { ScriptedModelServer } from './testing/index.js';
import { createConvoWorker } from './worker/worker.js';

const PROMPTS = [
  'Remember the word "tangerine". Answer in one short sentence.',
  'What is 6 times 7? Answer with the number only.',
  'Which word did I ask you to remember? Answer with the word only.',
];

function hasClaudeCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    env.ANTHROPIC_API_KEY ||
    env.CLAUDE_CODE_OAUTH_TOKEN ||
    existsSync(join(userClaudeConfig(env).dir, '.credentials.json')),
  );
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let model: ScriptedModelServer | undefined;
  if (!hasClaudeCredentials(process.env)) {
    model = await ScriptedModelServer.start();
    process.env.ANTHROPIC_BASE_URL = model.url;
    process.env.ANTHROPIC_API_KEY = 'sk-convo-demo-scripted-model';
    console.log(`No Claude credentials found: claude talks to the scripted model server at ${model.url}.`);
  } else {
    console.log('Claude credentials found: claude talks to Claude.');
  }

  const explicitAddress = process.env.TEMPORAL_ADDRESS;
  const config = loadClientConfig();
  const workerConfig = loadWorkerConfig();
  let server: DevServer | undefined;
  if (!(await answers(config.temporalAddress, config.namespace))) {
    if (explicitAddress) throw new Error(`no Temporal server answers at TEMPORAL_ADDRESS=${explicitAddress}`);
    const dbFile = join(dataDir, 'temporal.db');
    console.log(`Starting the Temporal dev server (data in ${dbFile}) ...`);
    server = await startDevServer({ dbFile });
    config.temporalAddress = workerConfig.temporalAddress = server.address;
  }
  const uiUrl = server?.uiUrl ?? loadServerConfig().webUiUrl;

  const workspace = join(dataDir, 'demo-workspace');
  await mkdir(workspace, { recursive: true });
  const worker = await createConvoWorker(workerConfig);
  const client = await ConvoClient.connect(config);
  try {
    await worker.runUntil(async () => {
      const id = await client.start({ cwd: workspace, title: 'Convo demo' });
      console.log(`Conversation ${id}`);
      for (const [i, prompt] of PROMPTS.entries()) {
        console.log(`\nturn ${i + 1} > ${prompt}`);
        const { reply } = await client.ask(id, prompt);
        console.log(`turn ${i + 1} < ${reply}`);
      }
      await client.close(id);
      const state = await client.state(id);
      console.log(`\nConversation ${id}: ${state.turns.length} turns, transcript ${state.transcriptBytes} bytes.`);
      console.log(`Web UI: ${uiUrl}/namespaces/${config.namespace}/workflows/${id}`);
      if (server)
        console.log('(The dev server stops with the demo; `npx convo server` brings it and this conversation back.)');
    });
  } finally {
    await client.shutdown();
    await worker.connection.close();
    await server?.stop();
    await model?.close();
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
