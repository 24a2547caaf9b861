/**
 * What `npm run record-opencode-fixtures` records: the fixture file's shape, and the scenarios (what the scripted model
 * server answers, and how opencode is pointed at it) that `record-opencode-fixtures.ts` runs one by one.
 */
import type { TurnErrorType } from '../common/errors.js';
import type { RelayedFailure } from '../activities/backends/opencode/relay.js';
import type { ScriptedReply } from './index.js';

/** One recorded run, as stored in a fixture file. */
export interface OpencodeFixture {
  scenario: string;
  /** What Convo must classify it as; `null` for success. */
  expected: TurnErrorType | null;
  opencodeVersion: string;
  recordedAt: string;
  /** Whether the run went through the relay (and was stopped at the first retryable failure). */
  relay: boolean;
  /** What ended the run early, if anything: the relay (a retryable failure) or the recorder (a loop). */
  stoppedBy?: 'relay' | 'recorder';
  /** ms from the stop to the process's exit, and the signal that ended it. */
  stopToExitMs?: number;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  /** stdout, one event line per entry (a loop keeps its first 60). */
  stdout: string[];
  /** stdout lines in all (a loop prints far more than it keeps). */
  stdoutLines: number;
  /** `POST /v1/messages` the run made: all, and those of the agent loop (with tools). */
  requests: number;
  mainRequests: number;
  /** Seconds between the agent loop's requests (opencode's own retry delays). */
  requestGapsS: number[];
  /** What the relay saw fail. */
  relayFailures?: RelayedFailure[];
  /** `opencode export <session>` after the run, when it ran to the end. */
  export?: unknown;
}

export interface Scenario {
  name: string;
  expected: TurnErrorType | null;
  reply?: ScriptedReply | ScriptedReply[];
  prompt?: string;
  relay?: boolean;
  /** Point opencode at a port nothing listens on. */
  unreachable?: boolean;
  /** Continue a session that does not exist. */
  resumeMissing?: boolean;
  /** Run with no API key at all. */
  noKey?: boolean;
  /** Stop the run after this long (a loop), ms. */
  stopAfterMs?: number;
  /** The conversation's `model` option. */
  model?: string;
}

const always = (reply: ScriptedReply): ScriptedReply => ({ ...reply, times: Infinity });
const apiError = (status: number, type: string, message: string, headers?: Record<string, string>): ScriptedReply =>
  always({ error: { status, type, message, headers } });

/** The scenarios recorded. */
export function scenarios(): Scenario[] {
  return [
    { name: 'success', expected: null, reply: { text: 'The answer.' } },
    {
      name: 'tool-call',
      expected: null,
      prompt: 'Please write the file.',
      reply: [
        {
          text: 'Writing the file.',
          toolUse: {
            name: 'bash',
            input: { command: 'echo "written by a tool" > tool-output.txt', description: 'write a file' },
          },
        },
        { text: 'The file is written.' },
      ],
    },
    {
      name: 'authentication-401',
      expected: 'Authentication',
      reply: apiError(401, 'authentication_error', 'invalid x-api-key'),
    },
    { name: 'no-api-key', expected: 'Authentication', noKey: true },
    {
      name: 'invalid-request-400',
      expected: 'InvalidRequest',
      reply: apiError(400, 'invalid_request_error', 'messages.0: bad content'),
    },
    {
      name: 'billing-402',
      expected: 'Billing',
      reply: apiError(402, 'billing_error', 'Your credit balance is too low to access the Anthropic API.'),
    },
    {
      name: 'rate-limit-429-retry-after',
      expected: 'UsageLimit',
      reply: apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '1',
      }),
    },
    {
      name: 'rate-limit-429-retry-after-relay',
      expected: 'UsageLimit',
      relay: true,
      reply: apiError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '20',
      }),
    },
    { name: 'server-error-500', expected: 'ServerError', reply: apiError(500, 'api_error', 'Internal server error') },
    {
      name: 'server-error-500-relay',
      expected: 'ServerError',
      relay: true,
      reply: apiError(500, 'api_error', 'Internal server error'),
    },
    { name: 'overloaded-529', expected: 'ServerError', reply: apiError(529, 'overloaded_error', 'Overloaded') },
    {
      name: 'overloaded-529-relay',
      expected: 'ServerError',
      relay: true,
      reply: apiError(529, 'overloaded_error', 'Overloaded'),
    },
    {
      name: 'max-output-tokens',
      expected: 'MaxOutputTokens',
      reply: always({ text: 'A long answer that was cut', stopReason: 'max_tokens' }),
    },
    { name: 'connection-refused', expected: 'ServerError', unreachable: true },
    { name: 'connection-refused-relay', expected: 'ServerError', relay: true, unreachable: true },
    { name: 'session-not-found', expected: 'SessionNotFound', resumeMissing: true },
    // opencode 1.18.33 reports a model it does not know as an UnknownError "Unexpected server error" (no model name).
    { name: 'unknown-model', expected: 'Unknown', model: 'claude-nonexistent-9' },
    {
      name: 'loop-json-body',
      expected: 'Hung',
      reply: always({ text: 'not a stream', format: 'json' }),
      stopAfterMs: 6_000,
    },
  ];
}
