/**
 * The opencode classifier on output recorded from the real `opencode` binary against the scripted model server
 * (test/fixtures/opencode, written by `npm run record-opencode-fixtures`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_EMPTY_STEPS } from '../../src/activities/backends/opencode/backend.js';
import {
  apiFailureOfRelayed,
  classifyApiFailure,
  classifyRun,
  retryAfterMs,
} from '../../src/activities/backends/opencode/classify.js';
import { emptySummary, opencodeReply, summarize } from '../../src/activities/backends/opencode/events.js';
import { lastAssistantError, OpencodeExport } from '../../src/activities/backends/opencode/transcript.js';
import { projectRoot } from '../../src/paths.js';
import type { OpencodeFixture } from '../../src/testing/opencode-scenarios.js';

const dir = join(projectRoot, 'test', 'fixtures', 'opencode');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OpencodeFixture);
const fixture = (name: string): OpencodeFixture => fixtures.find((f) => f.scenario === name)!;

/** Classifies a fixture the way a turn does: the relay's failure when it stopped the run, else the run's output. */
function classify(f: OpencodeFixture, now = new Date(f.recordedAt)) {
  const summary = emptySummary();
  for (const line of f.stdout) summarize(summary, line);
  const exit = { exitCode: f.exitCode, signal: f.signal, stderrTail: f.stderr };
  if (f.stoppedBy === 'relay') {
    const failure = f.relayFailures!.filter((r) => r.mainLoop).at(-1)!;
    return { summary, result: classifyApiFailure(apiFailureOfRelayed(failure), now) };
  }
  if (f.stoppedBy === 'recorder') {
    // What the backend's stream reader does: a run of empty model calls ends the turn with Hung.
    return {
      summary,
      result: summary.emptyStepsInARow >= MAX_EMPTY_STEPS ? { type: 'Hung' as const, message: 'looped' } : undefined,
    };
  }
  const exported = f.export === undefined ? undefined : OpencodeExport.parse(f.export);
  return { summary, result: classifyRun(summary, exit, now, exported && lastAssistantError(exported)) };
}

test('every scenario has a recorded fixture', () => {
  expect(fixtures.map((f) => f.scenario).sort()).toEqual([
    'authentication-401',
    'billing-402',
    'connection-refused',
    'connection-refused-relay',
    'invalid-request-400',
    'loop-json-body',
    'max-output-tokens',
    'no-api-key',
    'overloaded-529',
    'overloaded-529-relay',
    'rate-limit-429-retry-after',
    'rate-limit-429-retry-after-relay',
    'server-error-500',
    'server-error-500-relay',
    'session-not-found',
    'success',
    'tool-call',
    'unknown-model',
  ]);
  // Recorded from the opencode the project installs: re-record (`npm run record-opencode-fixtures`) when it changes.
  const installed = (
    JSON.parse(readFileSync(join(projectRoot, 'node_modules', 'opencode-ai', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  expect(new Set(fixtures.map((f) => f.opencodeVersion))).toEqual(new Set([installed]));
});

test.each(fixtures.map((f) => [f.scenario, f] as const))('%s is classified as recorded', (_name, f) => {
  const { result } = classify(f);
  if (f.expected === null) expect(result).toBeUndefined();
  else expect(result?.type).toBe(f.expected);
});

test('a success gives the last message text, tokens and cost; a tool call is seen with its input', () => {
  const ok = classify(fixture('success')).summary;
  expect(opencodeReply(ok)).toBe('The answer.');
  expect(ok.sessionId).toMatch(/^ses_/);
  expect(ok.steps).toBe(1);
  expect(ok.tokens.input).toBeGreaterThan(0);
  expect(ok.costUsd).toBeGreaterThan(0);

  const tool = classify(fixture('tool-call')).summary;
  expect(opencodeReply(tool)).toBe('The file is written.');
  expect(tool.toolCalls).toEqual(['bash']);
  expect(tool.lastToolInput).toBe('echo "written by a tool" > tool-output.txt');
  expect(tool.steps).toBe(2);
});

test("a 401 is one request and an APIError event; the message is the API's own", () => {
  const f = fixture('authentication-401');
  expect(f.mainRequests).toBe(1);
  expect(f.exitCode).toBe(1);
  expect(classify(f).result).toEqual({ type: 'Authentication', message: 'API Error: 401 invalid x-api-key' });
  // The export records the same error on the assistant message.
  expect(lastAssistantError(OpencodeExport.parse(f.export))).toMatchObject({
    name: 'APIError',
    data: { statusCode: 401 },
  });
});

test('no API key is a ProviderAuthError before any request', () => {
  const f = fixture('no-api-key');
  expect(f.requests).toBe(0);
  expect(classify(f).result).toMatchObject({
    type: 'Authentication',
    message: expect.stringContaining('API key is missing'),
  });
});

test('a 429 with retry-after: opencode retries it itself 5 times, then reports it with the headers', () => {
  const f = fixture('rate-limit-429-retry-after');
  // opencode 1.18.33 honours retry-after (1 s here) and gives up after 5 retries: 6 requests.
  expect(f.mainRequests).toBe(6);
  expect(f.requestGapsS.every((gap) => gap >= 1)).toBe(true);
  const now = new Date(f.recordedAt);
  expect(classify(f, now).result).toEqual({
    type: 'UsageLimit',
    message: 'API Error: 429 Number of request tokens has exceeded your per-minute rate limit',
    resetsAt: new Date(now.getTime() + 1000),
    resetSource: 'retry-after',
  });
});

test('through the relay, the first 429 ends the run at once and its retry-after is the reset time', () => {
  const f = fixture('rate-limit-429-retry-after-relay');
  expect(f.mainRequests).toBe(1);
  expect(f.stdout).toEqual([]);
  const now = new Date(f.recordedAt);
  expect(classify(f, now).result).toEqual({
    type: 'UsageLimit',
    message: 'API Error: 429 Number of request tokens has exceeded your per-minute rate limit',
    resetsAt: new Date(now.getTime() + 20_000),
    resetSource: 'retry-after',
  });
});

test('5xx, 529 and an unreachable API are server errors, direct or through the relay', () => {
  for (const name of ['server-error-500', 'overloaded-529', 'connection-refused']) {
    const direct = fixture(name);
    // opencode retried each itself before reporting it (no retry-after: 2 s, 4 s, … backoff).
    expect(direct.mainRequests).toBe(name === 'connection-refused' ? 0 : 6);
    expect(classify(direct).result?.type).toBe('ServerError');
    const relayed = fixture(`${name}-relay`);
    expect(relayed.mainRequests).toBe(name === 'connection-refused' ? 0 : 1);
    expect(classify(relayed).result?.type).toBe('ServerError');
  }
  expect(classify(fixture('overloaded-529-relay')).result?.message).toBe('API Error: 529 Overloaded');
  expect(classify(fixture('connection-refused-relay')).result?.message).toMatch(
    /^cannot reach the model API at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
  );
});

test('a reply cut at max_tokens exits 0 with finish reason "length": MaxOutputTokens', () => {
  const f = fixture('max-output-tokens');
  expect(f.exitCode).toBe(0);
  expect(classify(f).result).toMatchObject({ type: 'MaxOutputTokens' });
});

test('continuing a session opencode does not have is SessionNotFound, read from its stderr', () => {
  expect(classify(fixture('session-not-found')).result).toEqual({
    type: 'SessionNotFound',
    message: 'Error: Session not found',
  });
});

test('a plain JSON body where SSE was asked makes opencode loop on empty model calls; SIGTERM to its group ends it', () => {
  const f = fixture('loop-json-body');
  expect(f.stdoutLines).toBeGreaterThan(MAX_EMPTY_STEPS);
  expect(f.mainRequests).toBeGreaterThan(MAX_EMPTY_STEPS);
  const { summary } = classify(f);
  expect(summary.texts).toEqual([]);
  expect(summary.lastFinishReason).toBe('unknown');
  expect(f.stopToExitMs).toBeLessThan(2_000);
});

test('retry-after is read as ms, seconds or an HTTP date', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  expect(retryAfterMs({ 'retry-after-ms': '1500' }, now)).toBe(1500);
  expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7000);
  expect(retryAfterMs({ 'retry-after': '0.2' }, now)).toBe(200);
  expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:01:00 GMT' }, now)).toBe(60_000);
  expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  expect(retryAfterMs({}, now)).toBeUndefined();
});

test('API failures map onto the shared types', () => {
  const now = new Date();
  const of = (status: number | undefined, extra: Partial<Parameters<typeof classifyApiFailure>[0]> = {}) =>
    classifyApiFailure({ name: 'APIError', message: 'm', status, headers: {}, ...extra }, now).type;
  expect(of(429)).toBe('ServerError');
  expect(of(429, { body: '{"error":{"type":"insufficient_quota"}}' })).toBe('Billing');
  expect(of(403)).toBe('Authentication');
  expect(of(404)).toBe('InvalidRequest');
  expect(of(408)).toBe('ServerError');
  expect(of(undefined, { retryable: true })).toBe('ServerError');
  expect(of(undefined)).toBe('Unknown');
  expect(of(undefined, { name: 'ContextOverflowError' })).toBe('ContextOverflow');
  expect(of(400, { message: 'prompt is too long: 210000 tokens > 200000 maximum' })).toBe('ContextOverflow');
  expect(of(400, { message: 'max_tokens: must be positive' })).toBe('InvalidRequest');
  expect(of(undefined, { name: 'MessageOutputLengthError' })).toBe('MaxOutputTokens');
  expect(of(undefined, { name: 'UnknownError', message: 'Model not found: anthropic/nope' })).toBe('InvalidRequest');
  expect(
    classifyApiFailure({ name: 'APIError', message: 'busy', status: 503, headers: { 'retry-after': '3' } }, now),
  ).toMatchObject({
    type: 'ServerError',
    retryAfterMs: 3000,
  });
});
