/** One short line describing a tool call's input, for turn progress (`convo watch`, the Web UI). */
import { oneLine } from '../../common/text.js';

/**
 * The most telling string of a tool call's input (its `command`, `file_path`/`filePath`, `path`, `pattern`, `url`,
 * `description` or `prompt`, else its first non-empty string field), on one line of at most 200 characters.
 * @returns undefined when the input holds no string.
 */
export function toolInputLine(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const fields = input as Record<string, unknown>;
  const value = ['command', 'file_path', 'filePath', 'path', 'pattern', 'url', 'description', 'prompt']
    .map((k) => fields[k])
    .concat(Object.values(fields))
    .find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return value && oneLine(value, 200);
}
