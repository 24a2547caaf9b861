/** Keeping secrets out of what Convo stores: workflow history, logs and errors. */

/**
 * Replaces every occurrence of a secret from `env` in `text` with `[redacted]`.
 * @param names the variables of `env` that hold secrets: every backend plug-in's `secretEnvVars` (see
 *   `secretEnvVars()` in `../backends/registry.ts`).
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv, names: readonly string[]): string {
  let out = text;
  for (const name of names) {
    const value = env[name];
    // Very short values would redact ordinary words; real keys and tokens are long.
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  return out;
}
