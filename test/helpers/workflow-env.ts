/**
 * The workflow tests' environment, built once per test file: Temporal's time-skipping test server (from .tools/),
 * the workflow code bundled once, and a worker per test whose turn activity is a typed `jest.fn` fake (the real
 * `joinAccount` runs: it signals-with-start the account workflow on the same test server).
 *
 * Call {@link useWorkflowEnv} at a test file's top level; it registers the `beforeAll`/`afterAll` hooks.
 */
import { jest } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { joinAccount } from '../../src/activities/account.js';
import type { Activities } from '../../src/activities/index.js';
import type {
  ConversationOptionsInput,
  ConversationState,
  TurnInput,
  TurnResult,
} from '../../src/common/conversation.js';
import { findTestServer } from '../../src/server/dev-server.js';
import type { ConversationCarry } from '../../src/workflows/conversation/continue-as-new.js';
import { workflowsPath } from '../../src/worker/worker.js';
import { stateQuery } from '../../src/workflows/messages.js';
import { conversationWorkflow } from '../../src/workflows/conversation/workflow.js';

/** The fake of the turn activity a test gives: the real one's signature. */
export type RunTurn = Activities['runTurn'];

/** A started conversation's handle. */
export type ConversationHandle = WorkflowHandleWithFirstExecutionRunId<typeof conversationWorkflow>;

/** What a test body gets besides the first conversation's handle. */
export interface ConversationContext {
  /** The account of the first conversation (`account-<n>`, one per test). */
  account: string;
  /**
   * Starts another conversation on the same worker, on `account` (the test's by default), with `extra` options, and
   * `carried` as the workflow's second argument (an imported session, say).
   */
  start(
    account?: string,
    extra?: Partial<ConversationOptionsInput>,
    carried?: ConversationCarry,
  ): Promise<ConversationHandle>;
  /** The fake turn activity, to inspect its calls. */
  runTurn: jest.Mock<RunTurn>;
}

/** The environment of one test file; its fields are set once `beforeAll` has run. */
export interface WorkflowEnv {
  /** The time-skipping test environment (`env.sleep(ms)` moves time). */
  readonly env: TestWorkflowEnvironment;
  /**
   * Runs `body` against a conversation started on a worker of its own (a task queue per call), whose turns are
   * answered by `runTurn`; the worker stops when `body` settles.
   */
  withConversation(
    runTurn: RunTurn,
    body: (handle: ConversationHandle, context: ConversationContext) => Promise<void>,
  ): Promise<void>;
  /** A handle whose `result()` does not let the test server skip time (skip it explicitly with `env.sleep`). */
  plain(handle: { workflowId: string }): WorkflowHandle<typeof conversationWorkflow>;
  /**
   * Replays the conversation's history so far on today's workflow code, as a worker that takes it over does.
   * @throws DeterminismViolationError when the code issues other commands than the history recorded.
   */
  replay(handle: ConversationHandle): Promise<void>;
}

/** Sets up the time-skipping environment for this test file (hooks registered here) and returns it. */
export function useWorkflowEnv(): WorkflowEnv {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: { code: string };
  let counter = 0;
  beforeAll(async () => {
    // The fakes fail on purpose; the worker need not log each failure.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
    const path = findTestServer();
    if (!path) throw new Error('no temporal-test-server in .tools/: run `npm run setup`');
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    bundle = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  });
  afterAll(async () => env?.teardown());

  const ready = (): TestWorkflowEnvironment => {
    if (!env) throw new Error('the workflow test environment is not set up yet (use it inside a test)');
    return env;
  };
  return {
    get env() {
      return ready();
    },
    async withConversation(runTurn, body) {
      const testEnv = ready();
      const n = ++counter;
      const taskQueue = `wf-${n}`;
      const fake = jest.fn<RunTurn>(runTurn);
      const activities: Activities = { runTurn: fake, joinAccount };
      const worker = await Worker.create({
        connection: testEnv.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities,
      });
      await worker.runUntil(async () => {
        let started = 0;
        const account = `account-${n}`;
        const start = (
          onAccount = account,
          extra: Partial<ConversationOptionsInput> = {},
          carried?: ConversationCarry,
        ) =>
          testEnv.client.workflow.start(conversationWorkflow, {
            workflowId: `conv-${n}-${started++}`,
            taskQueue,
            args: carried
              ? [{ cwd: '/tmp', account: onAccount, ...extra }, carried]
              : [{ cwd: '/tmp', account: onAccount, ...extra }],
          });
        await body(await start(), { account, start, runTurn: fake });
      });
    },
    plain(handle) {
      const client = new Client({ connection: ready().connection });
      return client.workflow.getHandle<typeof conversationWorkflow>(handle.workflowId);
    },
    async replay(handle) {
      const history = await handle.fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: bundle, replayName: handle.workflowId },
        history,
        handle.workflowId,
      );
    },
  };
}

/** A turn that answers `echo <prompt>` and appends one transcript line. */
export const echo = async (input: TurnInput): Promise<TurnResult> => ({
  reply: `echo ${input.prompt}`,
  transcript: { mode: 'append', segments: [{ kind: 'inline', data: `{"prompt":${JSON.stringify(input.prompt)}}\n` }] },
});

/** A usage-limit failure as the turn activity raises it, resetting at `resetsAt`. */
export function usageLimit(resetsAt: Date): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'UsageLimit',
    message: "You've hit your 5-hour limit · resets 5am (UTC)",
    nonRetryable: true,
    details: [{ exitCode: 1, signal: null, resetsAt: resetsAt.toISOString(), resetSource: 'rate_limit_event' }],
  });
}

/** A turn that answers like {@link echo} and reports what it cost, US dollars. */
export function costing(costUsd: number): (input: TurnInput) => Promise<TurnResult> {
  return async (input) => ({ ...(await echo(input)), costUsd });
}

/** A context overflow as the turn activity raises it (the API's 400 "prompt is too long"). */
export function contextOverflow(): ApplicationFailure {
  const message =
    'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}';
  return ApplicationFailure.create({ type: 'ContextOverflow', message, nonRetryable: true });
}

/** An authentication failure as the turn activity raises it. */
export function authenticationFailure(message = 'Invalid API key · Fix external API key'): ApplicationFailure {
  return ApplicationFailure.create({ type: 'Authentication', message, nonRetryable: true });
}

/** Polls the `state` query (every 50 ms, for 10 s at most) until `check` holds; throws with the last state. */
export async function waitForState(
  handle: ConversationHandle,
  check: (s: ConversationState) => boolean,
): Promise<ConversationState> {
  let state: ConversationState | undefined;
  for (let i = 0; i < 200; i++) {
    state = await handle.query(stateQuery);
    if (check(state)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`state never matched; last: ${JSON.stringify(state)}`);
}

/** The Web UI's current details of a conversation (the SDK's metadata query; set by the workflow). */
export async function currentDetailsOf(handle: ConversationHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

/** The failure an update was rejected or failed with (its `cause`), or undefined when it succeeded. */
export async function updateFailure(update: Promise<unknown>): Promise<{ type?: string; message: string } | undefined> {
  return update.then(
    () => undefined,
    (err: { cause?: { type?: string; message: string } }) => err.cause,
  );
}
