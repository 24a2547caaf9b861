/**
 * The live events of one attempt of a turn, as its heartbeat details carry them: numbered from 0, secrets redacted
 * (text and thinking through a {@link StreamRedactor}, so a secret split across chunks goes too), the latest kept
 * within {@link LIVE_WINDOW_BYTES}, and the assistant's latest text for the Web UI.
 */
import {
  LIVE_CHUNK_MAX_CHARS,
  LIVE_RESULT_MAX_CHARS,
  LIVE_TEXT_MAX_CHARS,
  LIVE_WINDOW_BYTES,
  type LiveEvent,
  type LiveItem,
} from '../../common/turn-events.js';
import { StreamRedactor } from './redact.js';

/** The bounded window of live events (see the module's comment). */
export class LiveWindow {
  private readonly held: Array<{ event: LiveEvent; bytes: number }> = [];
  private bytes = 0;
  private next = 0;
  private readonly text: StreamRedactor;
  private readonly thinking: StreamRedactor;
  /** The latest text, and whether the next text starts a new message (after a tool call or result). */
  private latest = '';
  private fresh = true;

  /**
   * @param secrets what to redact ({@link secretValues}).
   * @param redact redaction of whole strings (tool inputs and results).
   * @param maxBytes bound on the events' JSON, bytes.
   */
  constructor(
    secrets: readonly string[],
    private readonly redact: (text: string) => string,
    private readonly maxBytes = LIVE_WINDOW_BYTES,
  ) {
    this.text = new StreamRedactor(secrets);
    this.thinking = new StreamRedactor(secrets);
  }

  /** Adds what the CLI did. Text held back by redaction comes out with the next chunk or at the next other item. */
  add(item: LiveItem): void {
    if (item.type !== 'text') this.flushText();
    if (item.type !== 'thinking') this.flushThinking();
    switch (item.type) {
      case 'text':
        return this.addText(this.text.push(item.text));
      case 'thinking':
        return this.addChunks('thinking', this.thinking.push(item.text));
      case 'tool_call':
        this.fresh = true;
        return this.append({
          type: 'tool_call',
          tool: item.tool,
          ...(item.input !== undefined && { input: this.redact(item.input) }),
          ...(item.id !== undefined && { id: item.id }),
        });
      case 'tool_result':
        this.fresh = true;
        return this.append({
          type: 'tool_result',
          ...(item.tool !== undefined && { tool: item.tool }),
          output: cut(this.redact(item.output), LIVE_RESULT_MAX_CHARS),
          ...(item.error && { error: true }),
          ...(item.id !== undefined && { id: item.id }),
        });
    }
  }

  /** Lets out what redaction holds back (at the end of the run). */
  flush(): void {
    this.flushText();
    this.flushThinking();
  }

  /** The events held, oldest first (a copy: heartbeat details are encoded later). */
  events(): LiveEvent[] {
    return this.held.map((h) => h.event);
  }

  /** The assistant's latest text, its last {@link LIVE_TEXT_MAX_CHARS} characters; undefined before any. */
  latestText(): string | undefined {
    return this.latest || undefined;
  }

  private flushText(): void {
    this.addText(this.text.flush());
  }

  private flushThinking(): void {
    this.addChunks('thinking', this.thinking.flush());
  }

  private addText(text: string): void {
    if (!text) return;
    // A new message's text replaces the latest text; more of the same message adds to it.
    this.latest = tail((this.fresh ? '' : this.latest) + text, LIVE_TEXT_MAX_CHARS);
    this.fresh = false;
    this.addChunks('text', text);
  }

  private addChunks(type: 'text' | 'thinking', text: string): void {
    for (const piece of pieces(text, LIVE_CHUNK_MAX_CHARS)) this.append({ type, text: piece });
  }

  private append(item: LiveItem): void {
    const event = { ...item, seq: this.next++ };
    const bytes = byteLength(JSON.stringify(event)) + 1;
    this.held.push({ event, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.held.length > 1) this.bytes -= this.held.shift()!.bytes;
  }
}

/** `text` in pieces of at most `max` characters, never splitting a surrogate pair. */
function pieces(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = max;
    const code = rest.charCodeAt(at - 1);
    if (code >= 0xd800 && code <= 0xdbff) at--;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest) out.push(rest);
  return out;
}

/** The first `max` characters of `text`, `…` marking a cut. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The last `max` characters of `text`. */
function tail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
