/**
 * `npm run record-fixtures`: runs the real `claude` binary against the scripted model server once per failure shape
 * of CLI-FACTS and writes what it printed to `test/fixtures/claude/<scenario>.json`. The classifier's unit tests read
 * these files, so re-running this after a CLI upgrade shows at once which shapes changed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TurnErrorType } from '../common/errors.js';
import { projectRoot } from '../paths.js';
import { loadSettings } from '../activities/backends/claude/settings.js';
import { runChild } from '../activities/turn/process.js';
import { ScriptedModelServer, type ScriptedReply } from './index.js';

/** One recorded run, as stored in a fixture file. */
export interface ClaudeFixture {
  scenario: string;
  /** What Convo must classify it as; `null` for success. */
  expected: TurnErrorType | null;
  /** `api-key` (ANTHROPIC_API_KEY) or `subscription` (CLAUDE_CODE_OAUTH_TOKEN). */
  mode: 'api-key' | 'subscription';
  claudeVersion: string;
  recordedAt: string;
  /** For usage limits: the reset the server announced (epoch seconds). */
  resetsAt?: number;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  /** stdout, one stream-json line per entry. */
  stdout: string[];
  /** How many `POST /v1/messages` the run made. */
  requests: number;
}

interface Scenario {
  name: string;
  expected: TurnErrorType | null;
  mode?: 'api-key' | 'subscription';
  /** The reply, or several (one per model request, in order). */
  reply?: ScriptedReply | ScriptedReply[];
  /** More CLI arguments. */
  args?: string[];
  /** Point the CLI at a port nothing listens on. */
  unreachable?: boolean;
  /** `--resume` a session that does not exist. */
  resumeMissing?: boolean;
}

const RESET_IN_S = 3 * 3600;
const always = (reply: ScriptedReply): ScriptedReply => ({ ...reply, times: Infinity });
const apiError = (status: number, type: string, message: string, headers?: Record<string, string>): ScriptedReply =>
  always({ error: { status, type, message, headers } });

/** The CLI-FACTS table, row by row, plus a resume of a missing session. */
export function scenarios(now: number): Scenario[] {
  const resetsAt = Math.floor(now / 1000) + RESET_IN_S;
  return [
    { name: 'success', expected: null, reply: { text: 'The answer.' } },
    {
      name: 'invalid-request-400',
      expected: 'InvalidRequest',
      reply: apiError(400, 'invalid_request_error', 'messages.0: bad content'),
    },
    {
      name: 'authentication-401',
      expected: 'Authentication',
      reply: apiError(401, 'authentication_error', 'invalid x-api-key'),
    },
    {
      name: 'billing-402',
      expected: 'Billing',
      reply: apiError(402, 'billing_error', 'Your credit balance is too low to access the Anthropic API.'),
    },
    {
      name: 'rate-limit-429-api-key',
      expected: 'ServerError',
      reply: apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '7',
      }),
    },
    {
      name: 'usage-limit-429-subscription',
      expected: 'UsageLimit',
      mode: 'subscription',
      reply: apiError(
        429,
        'rate_limit_error',
        "This request would exceed your account's rate limit. Please try again later.",
        {
          'anthropic-ratelimit-unified-status': 'rejected',
          'anthropic-ratelimit-unified-reset': String(resetsAt),
          'anthropic-ratelimit-unified-representative-claim': 'five_hour',
        },
      ),
    },
    { name: 'server-error-500', expected: 'ServerError', reply: apiError(500, 'api_error', 'Internal server error') },
    { name: 'overloaded-529', expected: 'ServerError', reply: apiError(529, 'overloaded_error', 'Overloaded') },
    {
      name: 'max-output-tokens',
      expected: 'MaxOutputTokens',
      reply: always({ text: 'A long answer that was cut', stopReason: 'max_tokens' }),
    },
    { name: 'connection-refused', expected: 'ServerError', unreachable: true },
    { name: 'session-not-found', expected: 'SessionNotFound', resumeMissing: true },
    {
      // Live text: partial messages (stream_event lines) of a reply with thinking, text in chunks, a tool call and
      // its result, then a final text in chunks.
      name: 'partial-messages',
      expected: null,
      args: ['--include-partial-messages', '--allowedTools', 'Bash'],
      reply: [
        {
          thinking: 'The user wants a file listing.',
          chunks: ['Let me ', 'look at ', 'the files.'],
          chunkDelayMs: 200,
          toolUse: { name: 'Bash', input: { command: 'echo listed', description: 'list the files' } },
        },
        { chunks: ['There is ', 'one file: ', 'listed.'], chunkDelayMs: 200 },
      ],
    },
  ];
}

async function record(scenario: Scenario, claudePath: string, version: string, now: number): Promise<ClaudeFixture> {
  const model = await ScriptedModelServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'convo-record-'));
  try {
    if (scenario.reply) model.script(scenario.reply);
    const mode = scenario.mode ?? 'api-key';
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      CLAUDE_CONFIG_DIR: join(dir, 'config'),
      CLAUDE_CODE_MAX_RETRIES: '0',
      ANTHROPIC_BASE_URL: scenario.unreachable ? 'http://127.0.0.1:9' : model.url,
      ...(mode === 'api-key'
        ? { ANTHROPIC_API_KEY: 'sk-ant-fixture-key-000000' }
        : { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-fixture-token' }),
    };
    const sessionArgs = scenario.resumeMissing ? ['--resume', randomUUID()] : ['--session-id', randomUUID()];
    const stdout: string[] = [];
    const exit = await runChild(
      claudePath,
      ['--print', '--output-format', 'stream-json', '--verbose', ...sessionArgs, ...(scenario.args ?? [])],
      {
        cwd: dir,
        env,
        stdin: 'Hello from the fixture recorder.',
        onLine: (line) => stdout.push(line),
        signal: AbortSignal.timeout(120_000),
      },
    );
    const resetsAt = scenario.expected === 'UsageLimit' ? Math.floor(now / 1000) + RESET_IN_S : undefined;
    return {
      scenario: scenario.name,
      expected: scenario.expected,
      mode,
      claudeVersion: version,
      recordedAt: new Date(now).toISOString(),
      resetsAt,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderr: exit.stderrTail,
      stdout,
      requests: model.requests.filter((r) => r.path.startsWith('/v1/messages')).length,
    };
  } finally {
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const claudePath = loadSettings().path;
  const versionLines: string[] = [];
  await runChild(claudePath, ['--version'], {
    cwd: tmpdir(),
    env: process.env,
    stdin: '',
    onLine: (l) => versionLines.push(l),
    signal: AbortSignal.timeout(30_000),
  });
  const version = versionLines.join(' ').trim();
  const outDir = join(projectRoot, 'test', 'fixtures', 'claude');
  await mkdir(outDir, { recursive: true });
  const now = Date.now();
  const only = process.argv.slice(2);
  for (const scenario of scenarios(now).filter((s) => only.length === 0 || only.includes(s.name))) {
    const fixture = await record(scenario, claudePath, version, now);
    await writeFile(join(outDir, `${scenario.name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
    console.log(
      `${scenario.name}: exit ${fixture.exitCode ?? fixture.signal}, ${fixture.stdout.length} events, ${fixture.requests} requests`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
