/** The current details the Web UI shows for a conversation, from its state. */
import { currentDetails } from '../../src/workflows/conversation/current-details.js';
import type { ConversationState } from '../../src/common/conversation.js';

const base: ConversationState = {
  id: 'conv-1',
  status: 'idle',
  backend: 'claude',
  account: 'team',
  cwd: '/srv/repo',
  sessionId: 's',
  closing: false,
  turns: [],
  transcriptBytes: 0,
  costUsd: 0,
  options: { backend: 'claude', cwd: '/srv/repo', account: 'team', historyLimitBytes: 4194304, detailsRefreshS: 60 },
  configurations: [],
};
const now = new Date('2026-11-22T10:00:00Z');

test('idle: status line and the first lines of the last reply', () => {
  const text = currentDetails(
    {
      ...base,
      title: 'Triage',
      turns: [{ index: 0, prompt: 'p', status: 'completed', reply: 'one\ntwo\n\nthree\nfour', queuedAt: '' }],
    },
    now,
  );
  expect(text.split('\n\n')).toEqual([
    '### Triage',
    '**idle** · 1 turn · backend claude · account team',
    'Last reply (turn 1):',
    '> one\n> two\n> three\n> …',
  ]);
});

test("running: the running turn's prompt, elapsed time (as of the workflow's time) and start time", () => {
  const turns = [
    {
      index: 0,
      prompt: 'fix the bug\nin parser.ts',
      status: 'running' as const,
      queuedAt: '',
      startedAt: '2026-11-22T09:58:00Z',
    },
  ];
  const running = { ...base, status: 'running' as const, turns };
  expect(currentDetails(running, now)).toContain('Running turn 1 for 2m (since 09:58 UTC): fix the bug');
  expect(currentDetails(running, new Date('2026-11-22T09:58:00.400Z'))).toContain(
    'Running turn 1 (since 09:58 UTC): fix the bug',
  );
  expect(currentDetails(running, new Date('2026-11-22T09:58:42Z'))).toContain(
    'Running turn 1 for 42s (since 09:58 UTC)',
  );
  expect(currentDetails(running, new Date('2026-11-22T12:03:59Z'))).toContain(
    'Running turn 1 for 2h 05m (since 09:58 UTC)',
  );
});

test('rate limited: the reset time; needs attention: the reason and the command', () => {
  const queued = [{ index: 0, prompt: 'p', status: 'queued' as const, queuedAt: '' }];
  const limited = currentDetails(
    {
      ...base,
      status: 'rate_limited',
      turns: queued,
      rateLimitedUntil: '2026-11-22T14:00:00.000Z',
      rateLimitMessage: "You've hit your limit",
    },
    now,
  );
  expect(limited).toContain(
    "Usage limit: sleeping until **14:00 UTC** (2026-11-22T14:00:00.000Z). You've hit your limit",
  );
  expect(limited).not.toContain('queued');
  const tomorrow = currentDetails(
    { ...base, status: 'rate_limited', turns: queued, rateLimitedUntil: '2026-11-23T01:00:00.000Z' },
    now,
  );
  expect(tomorrow).toContain('until **2026-11-23 01:00 UTC**');
  const attention = currentDetails(
    {
      ...base,
      status: 'needs_attention',
      turns: queued,
      attention: { type: 'Authentication', message: 'Invalid API key' },
    },
    now,
  );
  expect(attention).toContain('Needs attention: **Authentication**: Invalid API key');
  expect(attention).toContain('`convo resume conv-1`');
});
