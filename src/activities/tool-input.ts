/** One short line describing a tool call's input, for turn progress (`convo watch`, the Web UI). */

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
  if (!value) return undefined;
  const line = value.trim().replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
