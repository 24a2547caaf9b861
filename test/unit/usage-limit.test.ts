/**
 * parseUsageLimitReset over the message forms Claude Code has printed (CLI-FACTS and public Claude Code issues), with
 * fixed `now` values around midnight, month and year ends, and DST changes.
 */
import { parseUsageLimitReset } from '../../src/activities/backends/claude/reset-time.js';

// [text, now (UTC), zone for texts without one, expected reset (UTC)]
const cases: Array<[string, string, string, string]> = [
  // Claude Code 2.1.330 offline (CLI-FACTS); crosses midnight at a month end.
  ["You've hit your 5-hour limit · resets 12:23am (UTC)", '2026-03-31T23:50:00Z', 'UTC', '2026-04-01T00:23:00Z'],
  ["You've hit your limit · resets 4pm (America/Los_Angeles)", '2026-06-10T22:00:00Z', 'UTC', '2026-06-10T23:00:00Z'],
  // Same text after 4pm local: tomorrow.
  ["You've hit your limit · resets 4pm (America/Los_Angeles)", '2026-06-11T00:30:00Z', 'UTC', '2026-06-11T23:00:00Z'],
  [
    "You've hit your weekly limit · resets Jun 7, 4pm (Europe/Rome)",
    '2026-06-01T10:00:00Z',
    'UTC',
    '2026-06-07T14:00:00Z',
  ],
  // No zone: the worker's; the next 5am after now, across a month end.
  ['5-hour limit reached ∙ resets 5am', '2026-01-31T21:30:00Z', 'Asia/Tokyo', '2026-02-01T20:00:00Z'],
  ['Claude AI usage limit reached|1750708800', '2025-06-23T12:00:00Z', 'UTC', '2025-06-23T20:00:00Z'],
  [
    "You've hit your limit · resets May 5 at 9pm (America/New_York)",
    '2026-05-03T20:54:00Z',
    'UTC',
    '2026-05-06T01:00:00Z',
  ],
  // Curly apostrophe, legacy zone name.
  [
    'You’ve hit your session limit · resets 3:20am (Asia/Calcutta)',
    '2026-06-17T20:00:00Z',
    'UTC',
    '2026-06-17T21:50:00Z',
  ],
  [
    "You've hit your weekly limit · resets Sep 15 at 7pm",
    '2026-09-08T12:00:00Z',
    'Europe/London',
    '2026-09-15T18:00:00Z',
  ],
  [
    'Opus weekly limit reached ∙ resets Oct 31, 9am',
    '2025-10-25T15:00:00Z',
    'America/New_York',
    '2025-10-31T13:00:00Z',
  ],
  // A date without a time: that day's start.
  ['Opus weekly limit reached ∙ resets Oct 24', '2025-10-20T00:00:00Z', 'UTC', '2025-10-24T00:00:00Z'],
  [
    'Claude usage limit reached. Your limit will reset at 1pm (Etc/GMT+5).',
    '2025-06-14T17:56:00Z',
    'UTC',
    '2025-06-14T18:00:00Z',
  ],
  [
    '  ⎿  Claude usage limit reached. Your limit will reset at 9am (America/Chicago).',
    '2025-12-22T02:00:00Z',
    'UTC',
    '2025-12-22T15:00:00Z',
  ],
  [
    'You’ve hit your limit for Claude messages. Limits will reset at 9:30 AM.  View your usage details.',
    '2026-07-22T10:00:00Z',
    'UTC',
    '2026-07-23T09:30:00Z',
  ],
  // Two lines.
  [
    "You've hit your session limit · resets 5:40pm (Europe/Berlin)\n/login to switch to an API usage-billed account.",
    '2026-07-19T15:00:00Z',
    'UTC',
    '2026-07-19T15:40:00Z',
  ],
  // DST starts in New York at 2am on Mar 8 2026: 2:30am does not exist that day and moves to 3:30am EDT.
  ["You've hit your limit · resets 2:30am (America/New_York)", '2026-03-08T06:00:00Z', 'UTC', '2026-03-08T07:30:00Z'],
  // DST ends in New York on Nov 1 2026: 1:30am happens twice; the first (EDT) is the next one.
  ["You've hit your limit · resets 1:30am (America/New_York)", '2026-11-01T04:00:00Z', 'UTC', '2026-11-01T05:30:00Z'],
  // Tomorrow across Rome's spring change (Mar 29 2026): 4pm CEST, not 24 h after 4pm CET.
  ["You've hit your limit · resets 4pm (Europe/Rome)", '2026-03-28T16:30:00Z', 'UTC', '2026-03-29T14:00:00Z'],
  // A date without a year that has passed this year: next year.
  ["You've hit your weekly limit · resets Jan 2, 9am (UTC)", '2026-12-31T23:00:00Z', 'UTC', '2027-01-02T09:00:00Z'],
  // Weekdays (now is Saturday Nov 21 2026).
  ["You've hit your weekly limit · resets Monday 9am (UTC)", '2026-11-21T12:00:00Z', 'UTC', '2026-11-23T09:00:00Z'],
  [
    "You've hit your weekly limit · resets Mon, Nov 23, 9am (UTC)",
    '2026-11-21T12:00:00Z',
    'UTC',
    '2026-11-23T09:00:00Z',
  ],
  ["You've hit your limit · resets Apr 17, 11pm (UTC)", '2026-04-17T22:00:00Z', 'UTC', '2026-04-17T23:00:00Z'],
  // No zone and a trailing space.
  ["You've hit your limit · resets 10pm ", '2026-04-23T21:00:00Z', 'Europe/Berlin', '2026-04-24T20:00:00Z'],
  ["You've hit your limit · resets at 4pm (UTC)", '2026-01-01T00:00:00Z', 'UTC', '2026-01-01T16:00:00Z'],
  // 12am is midnight; February's end.
  ["You've hit your limit · resets 12am (UTC)", '2026-02-28T23:59:00Z', 'UTC', '2026-03-01T00:00:00Z'],
  // 24-hour clock.
  ['5-hour limit reached · resets 17:40 (Europe/Berlin)', '2026-07-19T12:00:00Z', 'UTC', '2026-07-19T15:40:00Z'],
  [
    "You've hit your session limit · resets 12:50am (America/Los_Angeles)",
    '2026-07-04T06:00:00Z',
    'UTC',
    '2026-07-04T07:50:00Z',
  ],
  [
    'You’ve hit your weekly limit ∙ resets Sep 15 at 7pm (America/Anchorage)',
    '2026-09-08T12:00:00Z',
    'UTC',
    '2026-09-16T03:00:00Z',
  ],
];

test.each(cases)('%j at %s (zone %s) resets at %s', (text, now, zone, expected) => {
  expect(parseUsageLimitReset(text, new Date(now), zone)?.toISOString()).toBe(new Date(expected).toISOString());
});

test.each([
  'API Error: 500 Internal server error. This is a server-side issue, usually temporary.',
  'Invalid API key · Fix external API key',
  // A /usage screen line: a reset time, but not a limit hit.
  'Resets Jul 26, 5:59am (America/Los_Angeles)',
  "You've hit your limit",
  '',
])('%j is not a usage limit with a reset time', (text) => {
  expect(parseUsageLimitReset(text, new Date('2026-01-01T00:00:00Z'), 'UTC')).toBeUndefined();
});

test('without a zone argument, a text without a zone is read in the system zone', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const reset = parseUsageLimitReset('5-hour limit reached ∙ resets 5am', now)!;
  const local = new Date(reset);
  expect(local.getHours()).toBe(5);
  expect(local.getMinutes()).toBe(0);
  expect(reset.getTime()).toBeGreaterThan(now.getTime());
  expect(reset.getTime() - now.getTime()).toBeLessThanOrEqual(86_400_000);
});
