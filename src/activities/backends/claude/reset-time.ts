/**
 * Reading a usage limit's reset time from the text Claude Code prints.
 *
 * Sources of the forms: Claude Code 2.1.330 offline (shared CLI-FACTS) and messages users quoted in public Claude Code
 * issues, e.g. `You've hit your 5-hour limit · resets 12:23am (UTC)`, `You've hit your limit · resets May 5 at 9pm
 * (America/New_York)`, `Opus weekly limit reached ∙ resets Oct 31, 9am`, `Claude usage limit reached. Your limit will
 * reset at 1pm (Etc/GMT+5).`, `Claude AI usage limit reached|1750708800`. The structured `rate_limit_event.resetsAt`
 * is preferred over all of these; this is the fallback.
 */
import { DateTime } from 'luxon';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Words that make a text a usage-limit message (so `/usage`'s plain "Resets 10pm" lines are not one). */
const LIMIT_MESSAGE =
  /hit your (?:[\w-]+ )*limit|limit reached|usage limit|limits? will reset|out of (?:extra )?usage/i;

// `resets` / `reset at` / `will reset at`, then optionally a weekday, a month and day (and year), `at`, a time, a zone.
const RESET = new RegExp(
  [
    String.raw`\bresets?\b[ \t]*(?:at[ \t]+|on[ \t]+)?`,
    String.raw`(?:(?<weekday>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?[ \t]+)?`,
    String.raw`(?:(?<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[ \t]+(?<day>\d{1,2})(?:st|nd|rd|th)?(?:,?[ \t]+(?<year>\d{4}))?(?:[ \t]*,|[ \t]+at)?[ \t]*)?`,
    String.raw`(?:(?<hour>\d{1,2})(?::(?<minute>\d{2}))?[ \t]*(?<ampm>[ap])\.?[ \t]*m\b\.?|(?<hour24>\d{1,2}):(?<minute24>\d{2})\b)?`,
    String.raw`[ \t]*(?:\((?<zone>[^)]+)\))?`,
  ].join(''),
  'i',
);

/**
 * Parses the reset time out of a Claude Code usage-limit message.
 *
 * A time without a date is the next such time after `now`; a date without a year is the next such date; a weekday is
 * the next such day; a date without a time is that day's start. A text without a zone is read in `zone` (default: the
 * worker's own). Zones are IANA names, resolved with luxon (DST included).
 *
 * @param text CLI output, any number of lines.
 * @param now the reference instant.
 * @param zone the zone for texts that name none; default the system zone.
 * @returns the reset instant, or undefined when `text` is not a usage-limit message or names no reset time.
 */
export function parseUsageLimitReset(text: string, now: Date, zone?: string): Date | undefined {
  const epoch = /usage limit reached[^|\n]*\|(\d{9,13})\b/i.exec(text);
  if (epoch) {
    const n = Number(epoch[1]);
    return new Date(n < 1e12 ? n * 1000 : n);
  }
  if (!LIMIT_MESSAGE.test(text)) return undefined;
  const g = RESET.exec(text.replace(/[’‘]/g, "'"))?.groups;
  if (!g || (!g.month && !g.weekday && !g.hour && !g.hour24)) return undefined;

  const named = g.zone?.trim();
  const inZone = named && DateTime.now().setZone(named).isValid ? named : (zone ?? 'system');
  const base = DateTime.fromJSDate(now, { zone: inZone });
  let hour = 0;
  let minute = 0;
  if (g.hour) {
    hour = (Number(g.hour) % 12) + (g.ampm!.toLowerCase() === 'p' ? 12 : 0);
    minute = Number(g.minute ?? 0);
  } else if (g.hour24) {
    hour = Number(g.hour24);
    minute = Number(g.minute24);
  }
  if (hour > 23 || minute > 59) return undefined;

  if (g.month) {
    const month = MONTHS.indexOf(g.month.slice(0, 3).toLowerCase()) + 1;
    const day = Number(g.day);
    const at = (year: number) => DateTime.fromObject({ year, month, day, hour, minute }, { zone: inZone });
    if (g.year) return validDate(at(Number(g.year)));
    const thisYear = at(base.year);
    if (!thisYear.isValid) return undefined;
    return (thisYear > base ? thisYear : at(base.year + 1)).toJSDate();
  }
  let candidate = base.set({ hour, minute, second: 0, millisecond: 0 });
  if (g.weekday) {
    const weekday = WEEKDAYS.indexOf(g.weekday.slice(0, 3).toLowerCase()) + 1;
    candidate = candidate.plus({ days: (weekday - candidate.weekday + 7) % 7 });
    if (candidate <= base) candidate = candidate.plus({ weeks: 1 });
  } else if (candidate <= base) {
    // Adding a calendar day (not 24 h) keeps the wall-clock time across a DST change.
    candidate = candidate.plus({ days: 1 }).set({ hour, minute });
  }
  return candidate.toJSDate();
}

function validDate(value: DateTime): Date | undefined {
  return value.isValid ? value.toJSDate() : undefined;
}
