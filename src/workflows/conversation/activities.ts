/**
 * The activities the conversation workflow calls, proxied once per timeout and retry profile. Imported as types only:
 * workflow code never loads activity code (it runs in the workflow sandbox, activities on the worker).
 */
import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../../common/errors.js';

// A turn is an agent run that may take many minutes, so the start-to-close bound is generous; the activity
// heartbeats every few seconds, so a dead worker is noticed after 30 s and the turn moves to another worker.
// Retries are Temporal's (the CLI's own are turned off): backoff from 5 s to 5 min, and only for error types that
// a retry can heal.
// `convo cancel` waits until the CLI is really killed (the activity sees the cancellation on its next heartbeat).
export const RUN_TURN_OPTIONS = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  },
} satisfies ActivityOptions;
export const { runTurn } = proxyActivities<Activities>(RUN_TURN_OPTIONS);

// Joining the account is one signal-with-start against the Temporal frontend: seconds at most.
export const { joinAccount } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });
