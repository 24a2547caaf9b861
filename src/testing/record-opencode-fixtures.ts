/**
 * `npm run record-opencode-fixtures`: runs the real `opencode` binary against the scripted model server once per
 * scenario and writes what it printed to `test/fixtures/opencode/<scenario>.json`. The classifier's unit tests read
 * these files, so re-running this after an opencode upgrade shows at once which shapes changed.
 *
 * Each run is set up as a turn is (the same config file, environment and arguments, a private `XDG_DATA_HOME`).
 * Scenarios ending in `-relay` run through Convo's relay and stop at the first failure opencode would retry itself,
 * as a turn does; the others talk to the server directly and so show opencode's own retries (they take up to a
 * minute each).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversationOptions } from '../common/conversation.js';
import { projectRoot } from '../paths.js';
import { retryableStatus } from '../activities/backends/http-status.js';
import { opencodeEnv } from '../activities/backends/opencode/data-dir.js';
import { parseEventLine } from '../activities/backends/opencode/events.js';
import { startApiRelay } from '../activities/backends/opencode/relay.js';
import { opencodeConfig, runArgs } from '../activities/backends/opencode/run-config.js';
import { loadSettings, type OpencodeSettings } from '../activities/backends/opencode/settings.js';
import { runChild } from '../activities/turn/process.js';
import { ScriptedModelServer } from './index.js';
import { scenarios, type OpencodeFixture, type Scenario } from './opencode-scenarios.js';

const LOOP_LINES_KEPT = 60;
const options = (cwd: string, model?: string): ConversationOptions =>
  ConversationOptions.parse({ backend: 'opencode', cwd, model });

async function record(scenario: Scenario, path: string, version: string): Promise<OpencodeFixture> {
  const model = await ScriptedModelServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'convo-record-opencode-'));
  const cwd = join(dir, 'cwd');
  await mkdir(join(dir, 'data', 'opencode'), { recursive: true });
  await mkdir(cwd);
  const stop = new AbortController();
  let stoppedBy: OpencodeFixture['stoppedBy'];
  let stoppedAt = 0;
  const upstream = scenario.unreachable ? 'http://127.0.0.1:9/v1' : `${model.url}/v1`;
  const relay = scenario.relay
    ? await startApiRelay(upstream, (f) => {
        if (!f.mainLoop || !retryableStatus(f.status) || stoppedBy) return;
        stoppedBy = 'relay';
        stoppedAt = Date.now();
        stop.abort();
      })
    : undefined;
  try {
    if (scenario.reply) model.script(scenario.reply);
    const settings: OpencodeSettings = {
      path,
      model: 'anthropic/claude-sonnet-4-5',
      baseUrl: upstream,
      relay: Boolean(relay),
      cliMaxRetries: 0,
    };
    const configFile = join(dir, 'opencode.json');
    await writeFile(
      configFile,
      JSON.stringify(opencodeConfig(settings, options(cwd, scenario.model), relay?.url ?? upstream)),
    );
    const env = opencodeEnv(
      {
        PATH: process.env.PATH,
        HOME: dir,
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        ...(scenario.noKey ? {} : { ANTHROPIC_API_KEY: 'sk-ant-fixture-key-000000' }),
      },
      join(dir, 'data'),
      configFile,
      cwd,
    );
    const run = async (args: string[], onLine: (line: string) => void, signal: AbortSignal, timeoutMs: number) =>
      runChild(path, args, {
        cwd,
        env,
        stdin: args[0] === 'run' ? (scenario.prompt ?? 'Hello from the fixture recorder.') : '',
        onLine,
        signal,
        timeoutMs,
        stdoutFile: join(dir, `${args[0]}.out`),
        killGraceMs: 5_000,
      });

    if (scenario.stopAfterMs) {
      setTimeout(() => {
        stoppedBy = 'recorder';
        stoppedAt = Date.now();
        stop.abort();
      }, scenario.stopAfterMs);
    }
    const stdout: string[] = [];
    let stdoutLines = 0;
    const sessionArgs = scenario.resumeMissing ? 'ses_0000000000000000000missing' : undefined;
    const exit = await run(
      runArgs(options(cwd), sessionArgs),
      (line) => {
        stdoutLines++;
        if (stdout.length < LOOP_LINES_KEPT) stdout.push(line);
      },
      stop.signal,
      300_000,
    );
    const exitedAt = Date.now();
    let exported: unknown;
    const sessionId = stdout.map((l) => parseEventLine(l)?.sessionID).find(Boolean);
    if (
      !stoppedBy &&
      sessionId &&
      ['success', 'tool-call', 'max-output-tokens', 'authentication-401'].includes(scenario.name)
    ) {
      await run(['export', sessionId], () => undefined, new AbortController().signal, 60_000);
      exported = JSON.parse(await readFile(join(dir, 'export.out'), 'utf8'));
    }
    const main = model.requests.filter((r) => r.hasTools);
    return {
      scenario: scenario.name,
      expected: scenario.expected,
      opencodeVersion: version,
      recordedAt: new Date().toISOString(),
      relay: Boolean(relay),
      stoppedBy,
      stopToExitMs: stoppedBy ? exitedAt - stoppedAt : undefined,
      exitCode: exit.exitCode,
      signal: exit.signal,
      stderr: exit.stderrTail,
      stdout,
      stdoutLines,
      requests: model.requests.length,
      mainRequests: main.length,
      requestGapsS: main
        .slice(1)
        .map((r, i) => Math.round((r.receivedAt.getTime() - main[i]!.receivedAt.getTime()) / 100) / 10),
      relayFailures: relay?.failures.map((f) => ({ ...f, headers: { ...f.headers, date: '(recorded)' } })),
      export: exported,
    };
  } finally {
    stop.abort();
    await relay?.close();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opencode = loadSettings();
  const versionLines: string[] = [];
  await runChild(opencode.path, ['--version'], {
    cwd: tmpdir(),
    env: process.env,
    stdin: '',
    onLine: (l) => versionLines.push(l),
    signal: new AbortController().signal,
    timeoutMs: 30_000,
  });
  const version = versionLines.join(' ').trim();
  const outDir = join(projectRoot, 'test', 'fixtures', 'opencode');
  await mkdir(outDir, { recursive: true });
  const only = process.argv.slice(2);
  for (const scenario of scenarios().filter((s) => only.length === 0 || only.includes(s.name))) {
    const started = Date.now();
    const fixture = await record(scenario, opencode.path, version);
    await writeFile(join(outDir, `${scenario.name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
    console.log(
      `${scenario.name}: exit ${fixture.exitCode ?? fixture.signal}, ${fixture.stdoutLines} events, ${fixture.mainRequests}/${fixture.requests} requests` +
        ` (gaps ${fixture.requestGapsS.join(', ')} s)${fixture.stoppedBy ? `, stopped by ${fixture.stoppedBy}, exited ${fixture.stopToExitMs} ms later` : ''}, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
