/**
 * What a turn hands the CLI, as pure functions: the clean environment, redaction of every secret the worker holds, MCP
 * configs with `${VAR}` references expanded, Claude Code's arguments and files, opencode's config, the options each
 * backend refuses, and the worker's concurrency bound.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeOptionsProblem, runArgs, writeRunFiles } from '../../src/activities/backends/claude/run-args.js';
import {
  deniedPermission,
  opencodeConfig,
  opencodeOptionsProblem,
} from '../../src/activities/backends/opencode/run-config.js';
import { CONVO_SECRET_ENV, cliEnv } from '../../src/activities/turn/cli-env.js';
import { expandMcpServers, hideVars } from '../../src/activities/turn/mcp-servers.js';
import { redactSecrets } from '../../src/activities/turn/redact.js';
import { ConversationOptions, type ConversationOptionsInput, type RunInput } from '../../src/common/conversation.js';
import { defaultMaxConcurrentTurns, loadWorkerConfig } from '../../src/config/worker.js';
import { describeCliEnv } from '../../src/worker/main.js';

const options = (extra: Partial<ConversationOptionsInput> = {}) =>
  ConversationOptions.parse({ cwd: '/srv/repo', ...extra });

test("the CLI's environment is an allow-list; Convo's own secrets never pass, even when CONVO_CLI_ENV names them", () => {
  const worker = {
    PATH: '/bin',
    HOME: '/home/w',
    LC_ALL: 'C.UTF-8',
    https_proxy: 'http://proxy:3128',
    ANTHROPIC_API_KEY: 'sk-ant-key',
    OPENAI_API_KEY: 'sk-openai',
    GH_TOKEN: 'ghp_x',
    UNLISTED: 'no',
    CONVO_ENCRYPTION_KEY: 'k',
    AWS_SECRET_ACCESS_KEY: 'a',
    TEMPORAL_TLS_CLIENT_KEY_DATA: 't',
  };
  expect(cliEnv(worker, ['ANTHROPIC_*'], ['GH_TOKEN', 'CONVO_ENCRYPTION_KEY', 'AWS_SECRET_ACCESS_KEY'])).toEqual({
    PATH: '/bin',
    HOME: '/home/w',
    LC_ALL: 'C.UTF-8',
    https_proxy: 'http://proxy:3128',
    ANTHROPIC_API_KEY: 'sk-ant-key',
    GH_TOKEN: 'ghp_x',
  });
});

test('redaction covers Convo secrets, each entry of a key list, and the values an MCP config references', () => {
  const env = {
    CONVO_DECRYPTION_KEYS: 'old1:b2xkLWtleS1vbmUtMTIzNDU2,old2:b2xkLWtleS10d28tNjU0MzIx',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-123456',
    AWS_REGION: 'us-east-1',
    SHORT: 'abc',
  };
  const text = 'b2xkLWtleS1vbmUtMTIzNDU2 b2xkLWtleS10d28tNjU0MzIx aws-secret-123456 us-east-1 mcp-token-98765 abc';
  expect(redactSecrets(text, env, CONVO_SECRET_ENV, ['mcp-token-98765'])).toBe(
    '[redacted] [redacted] [redacted] us-east-1 [redacted] abc',
  );
});

test('MCP configs: ${VAR} references expanded everywhere from the worker; a missing one fails the turn naming it', () => {
  const env = { TOKEN: 'tok-123456789', DIR: '/data' };
  const { servers, values } = expandMcpServers(
    {
      files: { command: '${DIR}/bin/server', args: ['--root', '${DIR}'], env: { API_TOKEN: '${TOKEN}', PLAIN: 'x' } },
      web: { type: 'http', url: 'https://mcp.example/${DIR}', headers: { Authorization: 'Bearer ${TOKEN}' } },
    },
    env,
  );
  expect(servers).toEqual({
    files: { command: '/data/bin/server', args: ['--root', '/data'], env: { API_TOKEN: 'tok-123456789', PLAIN: 'x' } },
    web: { type: 'http', url: 'https://mcp.example//data', headers: { Authorization: 'Bearer tok-123456789' } },
  });
  expect(values.sort()).toEqual(['/data', 'tok-123456789']);
  expect(() => expandMcpServers({ s: { command: 'x', env: { K: '${NOPE}' } } }, env)).toThrow(
    expect.objectContaining({
      type: 'InvalidRequest',
      nonRetryable: true,
      message: 'MCP server s references ${NOPE}, which is not set on this worker',
    }),
  );
});

test("a stdio server is started without the CLI's credentials, unless its own env names them", () => {
  expect(
    hideVars({ command: 'srv', args: ['-v'], env: { OPENAI_API_KEY: 'x' } }, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']),
  ).toEqual({
    command: 'env',
    args: ['-u', 'ANTHROPIC_API_KEY', '--', 'srv', '-v'],
    env: { OPENAI_API_KEY: 'x' },
  });
  const remote = { type: 'sse' as const, url: 'https://x' };
  expect(hideVars(remote, ['ANTHROPIC_API_KEY'])).toBe(remote);
});

const turnInput = (extra: Partial<RunInput>, opts: Partial<ConversationOptionsInput> = {}): RunInput => ({
  conversationId: 'c',
  turnIndex: 1,
  sessionId: 's-1',
  prompt: 'p',
  options: { ...options(opts), cwd: '/srv/repo' },
  transcript: [{ kind: 'inline', data: '{}\n' }],
  ...extra,
});

test("Claude Code's arguments for every option; a compaction leaves out the schema and the step cap", () => {
  const opts = {
    disallowedTools: ['Bash(rm:*)', 'WebFetch'],
    addDirs: ['/srv/shared'],
    effort: 'high' as const,
    fallbackModel: 'claude-haiku-4-5',
    maxTurns: 5,
    jsonSchema: { type: 'object' },
  };
  const args = runArgs(turnInput({ remainingBudgetUsd: 1.25 }, opts), {
    mcpConfig: '/t/mcp.json',
    settings: '/t/s.json',
  });
  expect(args.join(' ')).toBe(
    [
      '--print --output-format stream-json --verbose --include-partial-messages --resume s-1',
      '--fallback-model claude-haiku-4-5',
      '--disallowedTools Bash(rm:*) --disallowedTools WebFetch --add-dir /srv/shared --effort high --max-turns 5',
      '--json-schema {"type":"object"} --mcp-config /t/mcp.json --strict-mcp-config --settings /t/s.json',
      '--max-budget-usd 1.25',
    ].join(' '),
  );
  const compact = runArgs(turnInput({ kind: 'compact' }, { ...opts, userMcpServers: true }));
  expect(compact).not.toContain('--json-schema');
  expect(compact).not.toContain('--max-turns');
  expect(compact).not.toContain('--strict-mcp-config');
});

test("Claude Code's MCP config and settings are private files; settings.env is refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'convo-run-files-'));
  try {
    const files = await writeRunFiles(dir, options({ settings: { model: 'x' } }), { s: { command: 'srv' } }, [
      'ANTHROPIC_API_KEY',
    ]);
    expect(((await stat(files.mcpConfig!)).mode & 0o777).toString(8)).toBe('600');
    expect(((await stat(files.settings!)).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(await readFile(files.mcpConfig!, 'utf8'))).toEqual({
      mcpServers: { s: { command: 'env', args: ['-u', 'ANTHROPIC_API_KEY', '--', 'srv'] } },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  expect(claudeOptionsProblem(options({ settings: { model: 'x' } }))).toBeUndefined();
  expect(claudeOptionsProblem(options({ settings: { env: { A: '1' } } }))).toMatch(/^settings\.env is refused/);
});

test("opencode's config: MCP servers, the step bound, deny rules and extra directories", () => {
  const config = opencodeConfig(
    { model: 'anthropic/claude-sonnet-4-5' },
    options({
      backend: 'opencode',
      maxTurns: 7,
      disallowedTools: ['Bash(rm:*)', 'Bash(git push)', 'WebFetch', 'mcp__github', 'mcp__db__drop'],
      addDirs: ['/srv/shared/'],
    }),
    undefined,
    undefined,
    {
      local: { command: 'srv', args: ['-v'], env: { K: 'v' } },
      web: { type: 'http', url: 'https://x', headers: { H: 'h' } },
    },
  );
  expect(config).toMatchObject({
    agent: { build: { steps: 7 } },
    permission: {
      webfetch: 'deny',
      'github_*': 'deny',
      db_drop: 'deny',
      external_directory: { '/srv/shared/*': 'allow' },
      bash: { '*': 'allow', 'rm *': 'deny', 'git push': 'deny' },
    },
    mcp: {
      local: { type: 'local', command: ['srv', '-v'], environment: { K: 'v' }, enabled: true },
      web: { type: 'remote', url: 'https://x', headers: { H: 'h' }, enabled: true },
    },
  });
  expect(deniedPermission('Edit(src/**)')).toBeUndefined();
});

test('opencode names the first option it has no equivalent for', () => {
  const of = (extra: Partial<ConversationOptionsInput>) =>
    opencodeOptionsProblem(options({ backend: 'opencode', ...extra }));
  expect(of({})).toBeUndefined();
  expect(of({ maxTurns: 3, addDirs: ['/x'], maxCostUsd: 2, disallowedTools: ['Bash'] })).toBeUndefined();
  expect(of({ jsonSchema: {} })).toBe('opencode has no equivalent of --json-schema (jsonSchema)');
  expect(of({ effort: 'high' })).toBe('opencode has no equivalent of --effort (effort)');
  expect(of({ fallbackModel: 'm' })).toBe('opencode has no equivalent of --fallback-model (fallbackModel)');
  expect(of({ settings: {} })).toBe("opencode has no equivalent of Claude Code's --settings (settings)");
  expect(of({ disallowedTools: ['Edit(src/**)'] })).toMatch(
    /^opencode has no equivalent of the deny rule Edit\(src\/\*\*\)/,
  );
});

test('concurrent turns: min(cores × 4, ¾ of memory / 300 MB), at least 1; CONVO_MAX_CONCURRENT_TURNS and CONVO_CLI_ENV', () => {
  const GB = 1024 ** 3;
  expect(defaultMaxConcurrentTurns(2, 24 * GB)).toBe(8);
  expect(defaultMaxConcurrentTurns(16, 4 * GB)).toBe(10);
  expect(defaultMaxConcurrentTurns(1, 0.2 * GB)).toBe(1);
  const config = loadWorkerConfig({
    CONVO_MAX_CONCURRENT_TURNS: '2',
    CONVO_CLI_ENV: ' GH_TOKEN, CONVO_ENCRYPTION_KEY ',
  });
  expect(config.maxConcurrentTurns).toBe(2);
  expect(config.cliEnvNames).toEqual(['GH_TOKEN', 'CONVO_ENCRYPTION_KEY']);
  expect(describeCliEnv(config.cliEnvNames)).toBe("GH_TOKEN (never: CONVO_ENCRYPTION_KEY, Convo's own secrets)");
  expect(() => loadWorkerConfig({ CONVO_MAX_CONCURRENT_TURNS: '0' })).toThrow(/CONVO_MAX_CONCURRENT_TURNS/);
  expect(() => loadWorkerConfig({ CONVO_CLI_ENV: 'A B' })).toThrow(/CONVO_CLI_ENV/);
  // Warm sessions: on by default, bounded; 0 turns them off.
  expect(config.warm).toEqual({ max: 4, idleMs: 300_000 });
  expect(loadWorkerConfig({ CONVO_WARM_MAX: '0', CONVO_WARM_IDLE_S: '1.5' }).warm).toEqual({ max: 0, idleMs: 1500 });
  expect(() => loadWorkerConfig({ CONVO_WARM_MAX: '-1' })).toThrow(/CONVO_WARM_MAX/);
  expect(() => loadWorkerConfig({ CONVO_WARM_IDLE_S: '0' })).toThrow(/CONVO_WARM_IDLE_S/);
});
