/** A condition with a timeout whose timer has a name in the Web UI's timeline. */
import { CancellationScope, condition, sleep } from '@temporalio/workflow';

/**
 * Waits until `fn` is true or `ms` have passed, on a timer named `summary` for the Web UI's timeline (which a
 * `condition` with a timeout cannot name); the timer is cancelled when `fn` comes first. Cancelled with the scope it
 * runs in.
 */
export async function conditionOrTimer(fn: () => boolean, ms: number, summary: string): Promise<void> {
  const scope = new CancellationScope();
  try {
    await scope.run(() => Promise.race([condition(fn), sleep(ms, { summary })]));
  } finally {
    scope.cancel();
  }
}
