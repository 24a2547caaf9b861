/** Keeping secrets out of what Convo stores: workflow history, logs and errors. */
import { envNamesMatching } from './cli-env.js';

/** Values shorter than this are not redacted: they would redact ordinary words; real keys and tokens are long. */
const MIN_SECRET_LENGTH = 8;

/**
 * Replaces every occurrence of a secret in `text` with `[redacted]`: the values of the variables of `env` that `names`
 * matches, each comma-separated entry of them and what follows an `id:` prefix in one (`CONVO_DECRYPTION_KEYS` is
 * `id:key,…`), and every string of `values`.
 * @param names the variables of `env` that hold secrets (`PREFIX*` for a prefix): every backend plug-in's
 *   `secretEnvVars` and Convo's own (`CONVO_SECRET_ENV` in `./cli-env.ts`).
 * @param values more secrets, e.g. the values a turn's MCP config references.
 */
export function redactSecrets(
  text: string,
  env: NodeJS.ProcessEnv,
  names: readonly string[],
  values: readonly string[] = [],
): string {
  let out = text;
  for (const secret of secretValues(env, names, values)) out = out.split(secret).join('[redacted]');
  return out;
}

/** Every secret to redact, longest first (so that a secret containing another goes whole). */
export function secretValues(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
  values: readonly string[] = [],
): string[] {
  const found = new Set<string>(values);
  for (const name of envNamesMatching(env, names)) {
    const value = env[name]!;
    found.add(value);
    for (const entry of value.split(',')) {
      found.add(entry.trim());
      found.add(entry.slice(entry.indexOf(':') + 1).trim());
    }
  }
  return [...found].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * Redacts text that comes in chunks (live text): a secret split across chunks is redacted too. `push` returns what
 * can be shown of the text so far, redacted, holding back an end that could still grow into a secret; `flush`
 * returns what is held back (at the end of a block of text). What is shown is exactly what {@link redactSecrets}
 * makes of the whole text.
 */
export class StreamRedactor {
  private held = '';

  /** @param secrets the secrets to redact ({@link secretValues}, longest first). */
  constructor(private readonly secrets: readonly string[]) {}

  /** Adds `chunk`; returns the redacted text that can be shown now (possibly empty). */
  push(chunk: string): string {
    let text = this.held + chunk;
    for (const secret of this.secrets) text = text.split(secret).join('[redacted]');
    const keep = this.pendingSecretLength(text);
    this.held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** Returns what is held back and starts over. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest end of `text` that is the start of a secret (and not a whole one). */
  private pendingSecretLength(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(secret.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }
}
