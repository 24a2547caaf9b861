/**
 * `convo ask` on a terminal: the text of its turn printed as the model writes it (about a second after the CLI printed
 * it), then the rest of the reply once the turn completed. Only on a terminal (see `canSpin`): piped output stays the
 * reply alone, printed at the end.
 */
import type { FollowRead } from '../client/follow.js';
import { TurnFollower } from '../client/follow.js';
import type { TurnReply } from '../common/conversation.js';
import { followNoteLine, StreamWriter } from './format/live.js';

/** Prints one `ask`'s turn live (see the module's comment). */
export class AskLive {
  private readonly follower: TurnFollower;
  private readonly writer: StreamWriter;
  /** The turn of this `ask`, once seen starting. */
  private turn: number | undefined;
  /** The text of the turn's current message shown so far; undefined when some of it was missed. */
  private text: string | undefined = '';
  private printed = false;

  /**
   * @param nextIndex the index the turn will have, or a lower one (the conversation's number of turns before the
   *   `ask`): the turn is the first from there that starts with `prompt`.
   * @param write raw output (stdout); `note` one line for people (stderr).
   */
  constructor(
    private readonly nextIndex: number,
    private readonly prompt: string,
    write: (text: string) => void,
    private readonly note: (line: string) => void,
  ) {
    this.follower = new TurnFollower({ turn: nextIndex - 1, part: 'end' });
    this.writer = new StreamWriter(write);
  }

  /** Whether the output is at a line start (a spinner may be drawn only then). */
  get atLineStart(): boolean {
    return this.writer.atLineStart;
  }

  /** Prints what `read` shows of the turn that was not printed yet. */
  see(read: FollowRead): void {
    for (const event of this.follower.step(read)) {
      const { turn } = event.cursor;
      if (
        this.turn === undefined &&
        event.type === 'turn_started' &&
        turn >= this.nextIndex &&
        event.prompt === this.prompt
      )
        this.turn = turn;
      if (turn !== this.turn) continue;
      if (event.type === 'text') {
        this.writer.text(event.text);
        if (this.text !== undefined) this.text += event.text;
        this.printed = true;
      } else if (event.type === 'tool_call' || event.type === 'tool_result') {
        // The spinner names the tool; the next text starts a line of its own.
        this.writer.endLine();
        this.text = '';
      } else if (event.type === 'gap' || event.type === 'run_started') {
        const line = followNoteLine(event);
        if (event.type === 'gap') this.text = undefined;
        if (!line) continue;
        this.writer.endLine();
        if (event.type === 'run_started') this.text = '';
        this.note(line);
      }
    }
  }

  /** Ends the open line (before something else is printed). */
  breakLine(): void {
    this.writer.endLine();
  }

  /**
   * Prints the reply: after text that was its start, the rest; else all of it (a structured answer as JSON) on a line
   * of its own.
   */
  finish(reply: TurnReply): void {
    if (reply.structured !== undefined) return this.writer.line(JSON.stringify(reply.structured, null, 2));
    if (this.printed && this.text !== undefined && reply.reply.startsWith(this.text)) {
      this.writer.text(reply.reply.slice(this.text.length));
      return this.writer.endLine();
    }
    this.writer.line(reply.reply);
  }
}
