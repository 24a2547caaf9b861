/**
 * The `convo list` table (cli-table3).
 */
import Table from 'cli-table3';
import { DateTime } from 'luxon';
import type { ConversationSummary } from '../../client/client.js';
import { excerpt, utcTime } from '../../common/text.js';

/** The `convo list` table: id, status, turns, title, started (local time), reset time while rate-limited. */
export function formatList(rows: ConversationSummary[]): string {
  const table = new Table({
    head: ['ID', 'STATUS', 'TURNS', 'TITLE', 'STARTED'],
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) {
    const status = r.rateLimitedUntil ? `${r.status} until ${utcTime(r.rateLimitedUntil, new Date())}` : r.status;
    const title = r.titleUnreadable ? '(encrypted: no key)' : excerpt(r.title ?? '', 40);
    table.push([r.id, status, r.turns ?? '-', title, DateTime.fromISO(r.startedAt).toFormat('yyyy-MM-dd HH:mm')]);
  }
  return table.toString();
}
