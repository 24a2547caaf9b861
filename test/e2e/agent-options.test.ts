/**
 * The agent's options from the command line, end to end (real dev server, `convo worker`, `claude`, the scripted
 * model server, the real `convo` command): `--mcp-config` files checked at start and kept as `${VAR}` references in
 * the workflow input; `convo configure` refused before anything is sent; a session exported with `convo export`,
 * continued locally with the real `claude --resume`, and brought back with `convo start --import`; `configure` through
 * its update, a refused tool call named by `ask` and `show`, `convo compact`, and a spent budget's wait.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeOptionalSinglePayload } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { execa } from 'execa';
import { loadSettings } from '../../src/activities/backends/claude/settings.js';
import type { ConversationOptions, ConversationState } from '../../src/common/conversation.js';
import { TEST_API_KEY, World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await World.create('agent-options');
  await world.startWorker('only');
});
afterAll(async () => world?.dispose());

/** Runs `convo` and expects it to fail with exactly one line on stderr, `reason`. */
async function expectRefusal(args: string[], reason: string | RegExp): Promise<void> {
  const result = await world.convo(args);
  expect(result.exitCode).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  if (typeof reason === 'string') expect(result.stderr.trim()).toBe(reason);
  else expect(result.stderr.trim()).toMatch(reason);
}

/** The options the workflow was started with (the first payload of its start event). */
async function workflowInput(id: string): Promise<ConversationOptions | null | undefined> {
  const history = await world.client.client.workflow.getHandle(id).fetchHistory();
  const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
  return decodeOptionalSinglePayload<ConversationOptions>(
    world.client.client.options.loadedDataConverter,
    started.input!.payloads![0],
  );
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const dir = join(world.baseDir, 'configs');
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

test('start --mcp-config: a bad file is one line naming it and starts nothing; a good one goes in as written', async () => {
  const cwd = await world.workspace('mcp');
  const bad = await writeJson('bad.json', { mcpServers: { notes: { args: ['x'] } } });
  await expectRefusal(
    ['start', '--cwd', cwd, '--id', 'mcp-bad', '--mcp-config', bad],
    `convo: ${bad}: mcpServers.notes.command: Invalid input: expected string, received undefined`,
  );
  const one = await writeJson('one.json', {
    mcpServers: { notes: { command: 'notes', env: { TOKEN: '${NOTES_TOKEN}' } } },
  });
  const again = await writeJson('again.json', {
    mcpServers: { notes: { type: 'http', url: 'http://127.0.0.1:1/mcp' } },
  });
  await expectRefusal(
    ['start', '--cwd', cwd, '--id', 'mcp-twice', '--mcp-config', one, again],
    `convo: ${again}: MCP server "notes" is already defined in ${one}`,
  );
  await expectRefusal(['start', '--cwd', cwd, '--max-cost-usd', 'lots'], /--max-cost-usd <usd>.*not a positive number/);
  // Nothing was started by the refused commands.
  await expect(world.client.state('mcp-bad', 2_000)).rejects.toThrow('no conversation with id mcp-bad');

  const remote = await writeJson('remote.json', {
    mcpServers: {
      search: { type: 'sse', url: 'https://mcp.example/sse', headers: { Authorization: 'Bearer ${SEARCH_KEY}' } },
    },
  });
  const started = await world.convo([
    ...['start', '--cwd', cwd, '--id', 'mcp-good', '--mcp-config', one, remote],
    ...['--max-turns', '4', '--effort', 'high', '--max-cost-usd', '2.5', '--disallowed-tools', 'WebFetch'],
  ]);
  expect(started.stderr).toBe('');
  expect(started.stdout.trim()).toBe('mcp-good');
  expect(await workflowInput('mcp-good')).toMatchObject({
    mcpServers: {
      notes: { command: 'notes', env: { TOKEN: '${NOTES_TOKEN}' } },
      search: { type: 'sse', url: 'https://mcp.example/sse', headers: { Authorization: 'Bearer ${SEARCH_KEY}' } },
    },
    maxTurns: 4,
    effort: 'high',
    maxCostUsd: 2.5,
    disallowedTools: ['WebFetch'],
  });
});

test('configure: refused in one line before anything is sent', async () => {
  const id = await world.client.start({ cwd: await world.workspace('configure-refused') });
  await expectRefusal(['configure', id], 'convo: nothing to configure: give an option to set, or --clear OPTION');
  await expectRefusal(
    ['configure', id, '--effort', 'low', '--clear', 'effort'],
    'convo: --clear effort and --effort both given: set it or clear it',
  );
  await expectRefusal(
    ['configure', 'no-such-conversation', '--max-turns', '3'],
    'convo: no conversation with id no-such-conversation',
  );
  await world.client.close(id);
  await world.client.client.workflow.getHandle(id).result();
  await expectRefusal(['configure', id, '--max-turns', '3'], `convo: conversation ${id} is closed`);
});

test('export, claude --resume locally, start --import: the session goes out and comes back with every message', async () => {
  const cwd = await world.workspace('sessions');
  const id = (await world.convo(['start', '--cwd', cwd, '--id', 'sessions-out'])).stdout.trim();
  expect((await world.convo(['ask', id, 'first in convo'])).stdout.trim()).toBe(
    'Received 1 messages. Last user text: "first in convo"',
  );
  await expectRefusal(['export', 'no-such-conversation'], 'convo: no conversation with id no-such-conversation');

  // Export to where `claude --resume` looks, under a local config dir of its own.
  const local = join(world.baseDir, 'local-claude');
  const { sessionId } = await world.client.state(id);
  const exported = await world.convo(['export', id], undefined, { CLAUDE_CONFIG_DIR: local });
  expect(exported.exitCode).toBe(0);
  const file = join(local, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'), `${sessionId}.jsonl`);
  expect(exported.stdout).toBe(`wrote ${file}\ncontinue it locally with:\n  cd ${cwd} && claude --resume ${sessionId}`);
  expect(await readFile(file, 'utf8')).toBe(await world.client.transcript(id));
  const stdout = await world.convo(['export', id, '--out', '-']);
  // (execa drops the output's final newline.)
  expect(`${stdout.stdout}\n`).toBe(await world.client.transcript(id));

  // The real CLI, on this machine, continues it: its request carries the turn that ran in Convo.
  const resumed = await execa(loadSettings().path, ['--print', '--resume', sessionId, 'then locally'], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: join(world.baseDir, 'local-home'),
      CLAUDE_CONFIG_DIR: local,
      ANTHROPIC_BASE_URL: world.model.url,
      ANTHROPIC_API_KEY: TEST_API_KEY,
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  expect(resumed.stdout.trim()).toBe('Received 3 messages. Last user text: "then locally"');

  // And back into Convo: a new conversation continues the local session.
  await expectRefusal(
    ['start', '--cwd', cwd, '--backend', 'opencode', '--import', file],
    'convo: --import takes a Claude Code session: not for backend opencode',
  );
  const notSession = await writeJson('not-session.jsonl', '{"type":"user","sessionId":"x"}\nnot json\n');
  await expectRefusal(
    ['start', '--cwd', cwd, '--import', notSession],
    `convo: ${notSession} line 2 is not a JSON object: not json`,
  );
  const imported = await world.convo(['start', '--cwd', cwd, '--id', 'sessions-in', '--import', file]);
  expect(imported.stderr).toBe('');
  expect((await world.client.state('sessions-in')).sessionId).toBe(sessionId);
  expect((await world.convo(['ask', 'sessions-in', 'back in convo'])).stdout.trim()).toBe(
    'Received 5 messages. Last user text: "back in convo"',
  );
  // The workflow started from the stored transcript (a claim check: none of its bytes are in history), as imported.
  const history = await world.client.client.workflow.getHandle('sessions-in').fetchHistory();
  const carried = await decodeOptionalSinglePayload<Record<string, unknown>>(
    world.client.client.options.loadedDataConverter,
    history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![1],
  );
  expect(carried).toEqual({
    sessionId,
    turns: [],
    transcript: [expect.objectContaining({ kind: 'stored', bytes: Buffer.byteLength(await readFile(file)) })],
    closing: false,
    imported: true,
  });
});

test('show prints the total cost', async () => {
  const id = await world.client.start({ cwd: await world.workspace('cost') });
  await world.client.ask(id, 'what does it cost');
  const shown = await world.convo(['show', id]);
  expect(shown.stdout).toMatch(/^ {2}cost \$\d+\.\d+$/m);
});

test('configure through the update: a revision, recorded in state and on the next turn', async () => {
  const id = await world.client.start({ cwd: await world.workspace('configure') });
  const configured = await world.convo(['configure', id, '--max-turns', '3', '--allowed-tools', 'Read']);
  expect(configured.stdout.trim()).toBe(`configured ${id}: revision 1 (applies from the next turn)`);
  await world.client.ask(id, 'after configure');
  const state = JSON.parse((await world.convo(['show', id, '--json'])).stdout) as ConversationState;
  expect(state.options).toMatchObject({ maxTurns: 3, allowedTools: ['Read'] });
  expect(state.configurations).toEqual([
    expect.objectContaining({ revision: 1, changes: { maxTurns: 3, allowedTools: ['Read'] } }),
  ]);
  expect(state.turns.at(-1)?.optionsRevision).toBe(1);
  const cleared = await world.convo(['configure', id, '--clear', 'max-turns']);
  expect(cleared.stdout.trim()).toBe(`configured ${id}: revision 2 (applies from the next turn)`);
  // The workflow's validator refuses what the client did not check (a json schema opencode cannot honour is the
  // backend's; here a closed conversation).
  await world.client.close(id);
  await world.client.client.workflow.getHandle(id).result();
  await expectRefusal(['configure', id, '--max-turns', '2'], `convo: conversation ${id} is closed`);
});

test('a refused tool call: ask names it and the option that allows it; show and show --json list it', async () => {
  const cwd = await world.workspace('refused');
  const id = await world.client.start({ cwd });
  world.model.script([
    { toolUse: { name: 'Bash', input: { command: 'echo hi > out.txt' } } },
    { text: 'Could not write.' },
  ]);
  const asked = await world.convo(['ask', id, 'write hi to out.txt']);
  expect(asked.exitCode).toBe(0);
  expect(asked.stdout.trim()).toBe('Could not write.');
  expect(asked.stderr.split('\n')).toEqual([
    '✗ refused Bash: echo hi > out.txt',
    'the CLI refused this call; to allow from the next turn on:',
    `  convo configure ${id} --allowed-tools 'Bash(echo:*)'`,
  ]);
  expect((await world.convo(['show', id])).stdout).toContain('      ✗ refused Bash: echo hi > out.txt');
  const state = JSON.parse((await world.convo(['show', id, '--json'])).stdout) as ConversationState;
  expect(state.turns[0]?.denials).toEqual([{ tool: 'Bash', input: 'echo hi > out.txt' }]);
});

test('compact: a turn of kind compact, its reply printed', async () => {
  const id = await world.client.start({ cwd: await world.workspace('compact') });
  await world.client.ask(id, 'something to compact');
  const compacted = await world.convo(['compact', id]);
  expect(compacted.exitCode).toBe(0);
  expect(compacted.stdout.trim()).toMatch(new RegExp(`^compacted ${id}: turn 2 \\(\\$\\d+\\.\\d{4}\\)$`));
  expect((await world.client.state(id)).turns.at(-1)).toMatchObject({ kind: 'compact', status: 'completed' });
  expect((await world.convo(['show', id])).stdout).toMatch(/turn 2 completed: \(compaction\)/);
});

test('a spent budget waits for a person; show says how to raise it; configure raises it and the turn runs', async () => {
  const id = await world.client.start({ cwd: await world.workspace('budget'), maxCostUsd: 0.000001 });
  await world.client.ask(id, 'spend something');
  await world.client.send(id, 'over budget');
  await world.waitForState(id, (s) => s.status === 'needs_attention');
  const shown = await world.convo(['show', id]);
  expect(shown.stdout).toContain('needs attention: BudgetExceeded');
  expect(shown.stdout).toContain(`with \`convo configure ${id} --max-cost-usd N\``);
  expect((await world.convo(['configure', id, '--max-cost-usd', '100'])).exitCode).toBe(0);
  const done = await world.waitForState(id, (s) => s.turns[1]?.status === 'completed');
  expect(done.costUsd).toBeGreaterThan(0);
  expect((await world.convo(['show', id])).stdout).toMatch(/cost \$[\d.]+ of \$100\.00 budget/);
});
