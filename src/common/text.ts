/** Small text helpers that workflow code may use (no Node built-ins). */

/** Length of `text` in UTF-8, in bytes, without `Buffer` or `TextEncoder` (unavailable or costly in workflows). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** `text` on one line: whitespace (newlines included) collapsed to single spaces, cut to `max` characters with `…`. */
export function oneLine(text: string, max: number): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The first line of `text`, whitespace collapsed, cut to `max` characters with `…` (for one-line summaries in the
 * Web UI and the terminal).
 */
export function excerpt(text: string, max = 80): string {
  return oneLine(text.trim().split('\n', 1)[0]!, max);
}

/** The first `lines` non-empty lines of `text`, each cut to `width` characters; `…` marks what was left out. */
export function firstLines(text: string, lines = 3, width = 120): string {
  const all = text.split('\n').filter((l) => l.trim() !== '');
  const shown = all.slice(0, lines).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
  if (all.length > lines) shown.push('…');
  return shown.join('\n');
}

/** A UTC time as `HH:MM UTC`, with the date in front when it is not on the day of `now`. */
export function utcTime(iso: string, now: Date): string {
  const d = new Date(iso);
  const hhmm = d.toISOString().slice(11, 16);
  const sameDay = d.toISOString().slice(0, 10) === now.toISOString().slice(0, 10);
  return sameDay ? `${hhmm} UTC` : `${d.toISOString().slice(0, 10)} ${hhmm} UTC`;
}

/** How long, for people, to the second under a minute and to the minute above: `42s`, `7m`, `2h 05m`. `ms` in ms. */
export function roughDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
