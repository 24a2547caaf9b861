/**
 * The spinner `convo ask` shows with the turn's live progress (ora). Spinners run only when stdout is a TTY; piped
 * output gets plain lines.
 */
import isInteractive from 'is-interactive';
import ora from 'ora';
import type { ConvoClient } from '../client/client.js';
import { activityLine, formatElapsed } from './format/activity.js';

/**
 * True when a spinner can be drawn: stdout and stderr (where ora draws) are both interactive terminals by the rule
 * ora itself applies (`is-interactive`: a TTY, `TERM` not `dumb`, no `CI` variable), and stderr has a known width
 * (a pseudo-terminal of width 0 would make ora clear endlessly). Otherwise output is plain lines: ora, disabled,
 * would print its first text once and never update it.
 */
export function canSpin(): boolean {
  return (
    isInteractive({ stream: process.stdout }) &&
    isInteractive({ stream: process.stderr }) &&
    (process.stderr.columns ?? 0) > 0
  );
}

/**
 * Shows a spinner with the turn's live progress until `work` settles (only when stdout is a TTY), and returns
 * `work`'s result. Progress is read every `intervalMs` (default 500 ms) with {@link ConvoClient.snapshot}.
 */
export async function withProgress<T>(client: ConvoClient, id: string, work: Promise<T>, intervalMs = 500): Promise<T> {
  if (!canSpin()) return work;
  const spinner = ora({ text: 'queued', discardStdin: false }).start();
  const started = Date.now();
  let done = false;
  const poll = (async () => {
    while (!done) {
      const snap = await client.snapshot(id).catch(() => undefined);
      if (done) break;
      if (snap)
        spinner.text =
          snap.activity || snap.state.status !== 'idle'
            ? activityLine(snap.state, snap.activity)
            : `queued · ${formatElapsed(Date.now() - started)}`;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    spinner.stop();
    await poll;
  }
}
