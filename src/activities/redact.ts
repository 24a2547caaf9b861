/** Keeping secrets out of what Convo stores: workflow history, logs and errors. */

/** Environment variables whose values are secrets: Claude Code's, and the provider keys opencode reads most often. */
export const SECRET_ENV_VARS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'OPENAI_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
] as const;

/** Replaces every occurrence of a secret from `env` in `text` with `[redacted]`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const name of SECRET_ENV_VARS) {
    const value = env[name];
    // Very short values would redact ordinary words; real keys and tokens are long.
    if (value && value.length >= 8) out = out.split(value).join('[redacted]');
  }
  return out;
}
