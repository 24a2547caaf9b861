/**
 * Live turn events on a terminal (`convo ask`, `convo watch`): text printed as it arrives (lines left open until more
 * text or another line comes), and one line per tool call, tool result, missed events and restart.
 */
import type { FollowEvent } from '../../common/turn-events.js';
import { excerpt } from '../../common/text.js';

/**
 * Writes text that may end mid-line, and whole lines after it. `atLineStart` says whether the output is at the start
 * of a line (a spinner may be drawn only then: it would erase an open line).
 */
export class StreamWriter {
  atLineStart = true;
  /** What the open run of text is (its lines share a prefix); undefined at a line start after a whole line. */
  private run: string | undefined;

  /** @param write writes raw output (stdout). */
  constructor(private readonly write: (text: string) => void) {}

  /**
   * Writes `text` as part of a run of kind `kind` (e.g. `text`, `thinking`): a run of another kind ends the open line
   * first; each line of the output starts with `prefix()`.
   */
  text(text: string, kind = 'text', prefix: () => string = () => ''): void {
    if (!text) return;
    if (this.run !== undefined && this.run !== kind) this.endLine();
    this.run = kind;
    text.split('\n').forEach((line, i) => {
      if (i > 0) {
        this.write('\n');
        this.atLineStart = true;
      }
      if (!line) return;
      if (this.atLineStart) this.write(prefix());
      this.write(line);
      this.atLineStart = false;
    });
  }

  /** Ends the open line, if any. */
  endLine(): void {
    if (!this.atLineStart) this.write('\n');
    this.atLineStart = true;
    this.run = undefined;
  }

  /** Writes whole lines (after ending the open one). */
  line(text: string): void {
    this.endLine();
    this.write(`${text}\n`);
  }
}

/** `→ Bash: ls -la` */
export function toolCallLine(event: Extract<FollowEvent, { type: 'tool_call' }>): string {
  return `→ ${event.tool}${event.input ? `: ${excerpt(event.input, 100)}` : ''}`;
}

/** `← file1 file2 …`: the first line of a tool's output (`✗` for an error), or that there was none. */
export function toolResultLine(event: Extract<FollowEvent, { type: 'tool_result' }>): string {
  const first = event.output.split('\n').find((l) => l.trim() !== '');
  const more = first !== undefined && event.output.trim().split('\n').length > 1 ? ' …' : '';
  const mark = event.error ? '✗ ' : '';
  return `← ${mark}${first === undefined ? '(no output)' : `${excerpt(first, 100)}${more}`}`;
}

/** `… 12 live events missed`, or a run that starts over: `↻ attempt 2, starting over (after: ServerError: …)`. */
export function followNoteLine(event: FollowEvent): string | undefined {
  if (event.type === 'gap') return `… ${event.missed} live event${event.missed === 1 ? '' : 's'} missed`;
  if (event.type === 'run_started' && event.restart) {
    const after = event.lastFailure ? ` (after: ${excerpt(event.lastFailure, 80)})` : '';
    return `↻ ${event.attempt > 1 ? `attempt ${event.attempt}, ` : ''}starting over${after}`;
  }
  return undefined;
}
