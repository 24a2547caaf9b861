/**
 * Equipping the agent, end to end (real dev server, `convo worker` processes, the real `claude` and `opencode`, real
 * MCP servers; only the model is scripted): a conversation's stdio MCP server from `convo start --mcp-config`, with a
 * `${VAR}` secret from the worker's environment that appears nowhere Convo stores; Convo's own secrets kept from the
 * agent's environment; `--json-schema`, `--max-turns`; a context overflow compacted away; and the worker's bound on
 * concurrent turns.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { historyBytes } from '../helpers/history.js';
import { cliProcessesIn } from '../helpers/processes.js';
import { World } from '../helpers/world.js';

const MCP_SERVER = join(projectRoot, 'test', 'fixtures', 'mcp', 'secret-server.mjs');
const MCP_SECRET = `mcp-secret-${randomBytes(12).toString('hex')}`;
const secretHash = `sha256:${createHash('sha256').update(MCP_SECRET).digest('hex').slice(0, 16)}`;
// Convo's own secrets, in the worker's environment: none may reach the agent.
const CONVO_SECRETS = {
  CONVO_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  CONVO_CODEC_AUTH_TOKEN: `codec-token-${randomBytes(12).toString('hex')}`,
  AWS_SECRET_ACCESS_KEY: `aws-secret-${randomBytes(16).toString('hex')}`,
};

let world: World;
beforeAll(async () => {
  world = await World.create('agent-tools', undefined, CONVO_SECRETS);
  await world.startWorker('tools', { MCP_TEST_SECRET: MCP_SECRET });
});
afterAll(async () => world?.dispose());

/** Writes a Claude Code MCP config naming the test's stdio server, its secret as a `${VAR}` reference. */
async function mcpConfig(dir: string): Promise<string> {
  const file = join(dir, 'mcp.json');
  const config = {
    mcpServers: { secret: { command: 'node', args: [MCP_SERVER], env: { MCP_TEST_SECRET: '${MCP_TEST_SECRET}' } } },
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** Everything Convo keeps of a conversation and everything the model was sent, as one text to search. */
async function everythingKept(id: string): Promise<string> {
  const requests = JSON.stringify(world.model.requests);
  const transcript = await world.client.transcript(id);
  const state = JSON.stringify(await world.client.state(id));
  return [requests, transcript, state, (await historyBytes(world, id)).toString('latin1')].join('\n');
}

test.each(['claude', 'opencode'])(
  '%s: a stdio MCP server from --mcp-config runs on the worker with its ${VAR} secret; its result reaches the model',
  async (backend) => {
    const cwd = await world.workspace(`mcp-${backend}`);
    // Claude Code names MCP tools mcp__SERVER__TOOL; opencode SERVER_TOOL.
    const tool = backend === 'claude' ? 'mcp__secret__secret_hash' : 'secret_secret_hash';
    const started = await world.convo([
      'start',
      '--cwd',
      cwd,
      '--backend',
      backend,
      '--mcp-config',
      await mcpConfig(cwd),
      '--allowed-tools',
      'mcp__secret',
    ]);
    expect(started.stderr).toBe('');
    const id = started.stdout.trim();
    world.model.script([{ toolUse: { name: tool, input: {} } }, { text: 'hashed it' }]);
    const prompt = `hash the secret (${backend})`;
    const { reply } = await world.client.ask(id, prompt);
    expect(reply).toBe('hashed it');
    // The tool's result (the secret's hash: the server had it) is in the model's next request.
    const next = world.model.requests.filter((r) => r.hasTools).at(-1)!;
    expect(JSON.stringify(next.messages)).toContain(secretHash);
    // The conversation's options hold the reference, never the value.
    expect((await world.client.state(id)).options.mcpServers?.secret).toMatchObject({
      env: { MCP_TEST_SECRET: '${MCP_TEST_SECRET}' },
    });
    expect(await everythingKept(id)).not.toContain(MCP_SECRET);
  },
);

test("Convo's own secrets in the worker's environment never reach the agent: an env tool call shows none", async () => {
  const id = await world.client.start({ cwd: await world.workspace('env'), allowedTools: ['Bash'] });
  world.model.script([
    { toolUse: { name: 'Bash', input: { command: 'env', description: 'print the environment' } } },
    { text: 'printed' },
  ]);
  await world.client.ask(id, 'print your environment');
  const toolResult = JSON.stringify(world.model.requests.filter((r) => r.hasTools).at(-1)!.messages);
  // The call ran (its output is the CLI's environment) ...
  expect(toolResult).toContain('PATH=');
  // ... and holds none of the worker's secrets; neither does anything Convo keeps.
  const kept = await everythingKept(id);
  for (const [name, value] of Object.entries(CONVO_SECRETS)) {
    expect([name, toolResult.includes(value)]).toEqual([name, false]);
    expect([name, kept.includes(value)]).toEqual([name, false]);
  }
});

test('--json-schema: ask returns the parsed object, and convo ask prints it as JSON', async () => {
  const cwd = await world.workspace('schema');
  const schema = join(cwd, 'schema.json');
  await writeFile(
    schema,
    JSON.stringify({ type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] }),
  );
  const id = (await world.convo(['start', '--cwd', cwd, '--json-schema', schema])).stdout.trim();
  world.model.script({ toolUse: { name: 'StructuredOutput', input: { answer: 42 } } });
  const reply = await world.client.ask(id, 'what is the answer');
  expect(reply.structured).toEqual({ answer: 42 });
  world.model.script({ toolUse: { name: 'StructuredOutput', input: { answer: 7 } } });
  const asked = await world.convo(['ask', id, 'and now?']);
  expect(JSON.parse(asked.stdout)).toEqual({ answer: 7 });
});

test('--max-turns bounds a tool loop: the turn ends after that many model calls', async () => {
  const cwd = await world.workspace('max-turns');
  const id = (await world.convo(['start', '--cwd', cwd, '--allowed-tools', 'Bash', '--max-turns', '2'])).stdout.trim();
  world.model.script({ toolUse: { name: 'Bash', input: { command: 'echo step', description: 'step' } }, times: 20 });
  const { reply } = await world.client.ask(id, 'loop forever');
  world.model.clearScript();
  expect(reply).toBe('Reached maximum number of turns (2)');
  expect(world.model.requests.filter((r) => r.hasTools && r.lastUserText === 'loop forever')).toHaveLength(2);
});

test('a 400 "prompt is too long": the conversation compacts the session, then the turn completes', async () => {
  const id = await world.client.start({ cwd: await world.workspace('overflow') });
  await world.client.ask(id, 'a first question');
  // Twice: Claude Code compacts by itself after the first and tries again; the second overflow ends its run.
  world.model.script(
    {
      error: { status: 400, type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000' },
      times: 2,
    },
    (r) => r.hasTools && JSON.stringify(r.messages).includes('overflowing question'),
  );
  const { reply, index } = await world.client.ask(id, 'overflowing question');
  expect(reply).toMatch(/^Received \d+ messages\./);
  const { turns } = await world.client.state(id);
  // The compaction is a turn of its own in the record; the overflowing turn kept its index and completed.
  expect(turns.map((t) => [t.kind ?? 'prompt', t.status])).toEqual([
    ['prompt', 'completed'],
    ['prompt', 'completed'],
    ['compact', 'completed'],
  ]);
  expect(index).toBe(1);
  // The retried request carries the compaction's summary, not the first question verbatim.
  const retried = JSON.stringify(world.model.requests.at(-1)!.messages);
  expect(retried).toContain('This session is being continued from a previous conversation');
});

test('CONVO_MAX_CONCURRENT_TURNS=2: five conversations asking at once never run more than two CLIs', async () => {
  // A world of its own: its task queue has only this worker.
  const bounded = await World.create('concurrency');
  try {
    const worker = await bounded.startWorker('bounded', { CONVO_MAX_CONCURRENT_TURNS: '2' });
    expect(worker.output).toMatch(/at most 2 turns at once/);
    bounded.model.script({ text: 'slow answer', delayMs: 1500, times: Infinity });
    const ids = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => bounded.client.start({ cwd: await bounded.workspace(`c${i}`) })),
    );
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // The CLIs the worker runs for turns are its own children. Claude Code 2.1.330 also starts a helper `claude`
        // in a session of its own that can outlive its parent by a moment (not a turn: the worker did not start it).
        // A scan of /proc is not one instant either, so only CLIs still running once the scan is over count.
        const found = await cliProcessesIn(worker.tmp, 'claude');
        const stats = await Promise.all(found.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')));
        const running = stats.filter((stat) => {
          const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return state !== 'Z' && Number(ppid) === worker.pid;
        });
        if (running.length > 2) console.log(`claude processes: ${stats.join(' | ')}`);
        peak = Math.max(peak, running.length);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const replies = await Promise.all(ids.map((id, i) => bounded.client.ask(id, `question ${i}`)));
    sampling = false;
    await sampler;
    expect(replies.map((r) => r.reply)).toEqual(Array(5).fill('slow answer'));
    // Two at a time, and the sampling saw them: the bound held and was reached.
    expect(peak).toBe(2);
  } finally {
    await bounded.dispose();
  }
});
