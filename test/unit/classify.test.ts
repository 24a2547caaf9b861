/**
 * The classifier on stream-json recorded from the real `claude` binary (test/fixtures/claude, written by
 * `npm run record-fixtures`): one fixture per row of CLI-FACTS' failure table.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyRun } from '../../src/activities/backends/claude/classify.js';
import { emptySummary, summarize } from '../../src/activities/backends/claude/events.js';
import { projectRoot } from '../../src/paths.js';
import type { ClaudeFixture } from '../../src/testing/record-claude-fixtures.js';

const dir = join(projectRoot, 'test', 'fixtures', 'claude');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ClaudeFixture);

function classify(fixture: ClaudeFixture, now = new Date(fixture.recordedAt)) {
  const summary = emptySummary();
  for (const line of fixture.stdout) summarize(summary, line);
  return {
    summary,
    result: classifyRun(
      summary,
      { exitCode: fixture.exitCode, signal: fixture.signal, stderrTail: fixture.stderr },
      now,
    ),
  };
}

test('every row of the CLI-FACTS failure table has a recorded fixture (and a run with partial messages)', () => {
  expect(fixtures.map((f) => f.scenario).sort()).toEqual([
    'authentication-401',
    'billing-402',
    'connection-refused',
    'invalid-request-400',
    'max-output-tokens',
    'overloaded-529',
    'partial-messages',
    'rate-limit-429-api-key',
    'server-error-500',
    'session-not-found',
    'success',
    'usage-limit-429-subscription',
  ]);
});

test.each(fixtures.map((f) => [f.scenario, f] as const))('%s is classified as recorded', (_name, fixture) => {
  const { summary, result } = classify(fixture);
  if (fixture.expected === null) {
    expect(result).toBeUndefined();
    expect(summary.result?.result).toBe(
      fixture.scenario === 'partial-messages' ? 'There is one file: listed.' : 'The answer.',
    );
    return;
  }
  expect(result?.type).toBe(fixture.expected);
  // The message is the CLI's own words, never a wrapper's.
  const own = [summary.result?.result, ...(summary.result?.errors ?? []).map(String)].filter(Boolean);
  expect(own).toContain(result!.message);
});

test('a usage limit takes its reset time from rate_limit_event.resetsAt', () => {
  const fixture = fixtures.find((f) => f.scenario === 'usage-limit-429-subscription')!;
  const { result } = classify(fixture);
  expect(result).toMatchObject({ type: 'UsageLimit', resetSource: 'rate_limit_event' });
  expect(result!.resetsAt!.getTime()).toBe(fixture.resetsAt! * 1000);
  expect(result!.message).toMatch(/^You've hit your 5-hour limit · resets /);
});

test('without the event, the usage-limit text still gives the reset time', () => {
  const fixture = fixtures.find((f) => f.scenario === 'usage-limit-429-subscription')!;
  const withoutEvent = { ...fixture, stdout: fixture.stdout.filter((l) => !l.includes('"rate_limit_event"')) };
  const { result } = classify(withoutEvent);
  expect(result).toMatchObject({ type: 'UsageLimit', resetSource: 'text' });
  // The text has minutes but no date: the next such time after the recording, within a day.
  const delta = result!.resetsAt!.getTime() - Date.parse(fixture.recordedAt);
  expect(delta).toBeGreaterThan(0);
  expect(delta).toBeLessThanOrEqual(86_400_000);
});

test('a rate_limit_event that only warns does not make a successful run a failure', () => {
  const fixture = fixtures.find((f) => f.scenario === 'success')!;
  const warned = {
    ...fixture,
    stdout: [
      JSON.stringify({
        type: 'rate_limit_event',
        rate_limit_info: { status: 'allowed_warning', resetsAt: 1795314319 },
      }),
      ...fixture.stdout,
    ],
  };
  expect(classify(warned).result).toBeUndefined();
});

test('a CLI killed without a result, or exiting 0 without one, is Unknown with a reason', () => {
  const summary = emptySummary();
  expect(classifyRun(summary, { exitCode: null, signal: 'SIGKILL', stderrTail: '' }, new Date())).toEqual({
    type: 'Unknown',
    message: 'claude was killed by SIGKILL before it reported a result',
  });
  expect(classifyRun(summary, { exitCode: 0, signal: null, stderrTail: '' }, new Date())).toEqual({
    type: 'Unknown',
    message: 'claude exited without a result event',
  });
  expect(
    classifyRun(summary, { exitCode: 2, signal: null, stderrTail: 'error: unknown option --frobnicate\n' }, new Date()),
  ).toEqual({
    type: 'Unknown',
    message: 'error: unknown option --frobnicate',
  });
});
