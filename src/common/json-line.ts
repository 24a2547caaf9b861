/** Reading JSON Lines (CLI event streams, transcripts) with zod, one line at a time. */
import type { z } from 'zod';

/**
 * Parses one line as a JSON object and checks it against `schema`.
 * @returns the parsed value; undefined when the line is not a JSON object or does not match (callers decide whether
 *   to keep such a line as text or skip it).
 */
export function parseJsonLine<S extends z.ZodType>(line: string, schema: S): z.output<S> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
