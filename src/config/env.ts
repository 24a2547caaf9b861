/**
 * Reading settings from environment variables with zod: the helpers every settings module (connection, worker,
 * client, codec keys, each backend's) shares.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { z } from 'zod';

/** Thrown for an environment variable that does not parse; the message names it (never a secret's value). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** An unset or empty variable: empty counts as unset (e.g. `KEY=${KEY:-}` in a compose file). For `z.preprocess`. */
export const emptyAsUnset = (v: unknown): unknown => (v === '' ? undefined : v);

/**
 * Parses `env` with `schema`.
 * @throws ConfigError naming the first variable that does not parse.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** A bare command name looked up on PATH, as a shell would; paths and names not found are returned as given. */
export function resolveBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (isAbsolute(name) || name.includes('/')) return name;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return name;
}
