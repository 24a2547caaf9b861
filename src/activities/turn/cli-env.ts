/**
 * The environment a CLI runs with: an allow-list of the worker's, never the whole of it. The agent's tools (Bash, MCP
 * servers) inherit it and can print it into the conversation, so what is not listed here never reaches the model.
 *
 * Names ending in `*` stand for every variable with that prefix (`LC_*`).
 */

/** What any CLI needs to run: paths, the user, locale, time zone, terminal, temp dir, proxies and CA settings. */
export const BASE_CLI_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'TERM',
  'TMPDIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/**
 * Convo's own secrets and credentials (payload keys, codec tokens, Temporal and transcript-store credentials): never
 * passed to a CLI, even when `CONVO_CLI_ENV` names them.
 */
export const NEVER_CLI_ENV: readonly string[] = [
  'CONVO_ENCRYPTION_KEY',
  'CONVO_DECRYPTION_KEYS',
  'CONVO_CODEC_AUTH_TOKEN',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_*',
  'TEMPORAL_GRPC_META_*',
  'AWS_*',
];

/** The variables of {@link NEVER_CLI_ENV} whose values are secrets: redacted wherever they would be stored. */
export const CONVO_SECRET_ENV: readonly string[] = [
  'CONVO_ENCRYPTION_KEY',
  'CONVO_DECRYPTION_KEYS',
  'CONVO_CODEC_AUTH_TOKEN',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_GRPC_META_*',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

/** Whether `name` is one of `patterns` (exact names, or prefixes written `PREFIX*`). */
export function matchesEnvName(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** The names of `env` that match `patterns`, in `env`'s order. */
export function envNamesMatching(env: NodeJS.ProcessEnv, patterns: readonly string[]): string[] {
  return Object.keys(env).filter((name) => env[name] !== undefined && matchesEnvName(name, patterns));
}

/**
 * The CLI's environment: the variables of `workerEnv` named by {@link BASE_CLI_ENV}, by the backend (`backendVars`: its
 * provider credentials and settings) or by `CONVO_CLI_ENV` (`extraNames`), less {@link NEVER_CLI_ENV}.
 */
export function cliEnv(
  workerEnv: NodeJS.ProcessEnv,
  backendVars: readonly string[],
  extraNames: readonly string[],
): NodeJS.ProcessEnv {
  const allowed = [...BASE_CLI_ENV, ...backendVars, ...extraNames];
  const env: NodeJS.ProcessEnv = {};
  for (const name of envNamesMatching(workerEnv, allowed)) {
    if (!matchesEnvName(name, NEVER_CLI_ENV)) env[name] = workerEnv[name];
  }
  return env;
}
