/**
 * A repo-mode remote URL on the worker: `${VAR}` references expanded from the worker's environment (credentials stay
 * out of history), a redactor that keeps the expanded URL and the values out of every message, and the clone cache's
 * key.
 */
import { createHash } from 'node:crypto';
import { workspaceUnavailable, type Redact } from './failures.js';

/** A remote URL ready for git. */
export interface RepoUrl {
  /** What git is given: the URL with its variables expanded. A secret: only ever on git's command line. */
  url: string;
  /** The URL as people may see it: unexpanded (`${VAR}` kept), a password written in it replaced by `[redacted]`. */
  shown: string;
  /** The URL carries credentials (user information in an `http(s)://` URL). */
  hasCredentials: boolean;
  /** Hex SHA-256 of the expanded URL without its user information: the same repository, whatever credentials. */
  cacheKey: string;
  /** Replaces the expanded URL by {@link shown}, and the referenced values (4 characters or more) and a password
   * written in the URL by `[redacted]`. */
  redact: Redact;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WITH_USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(?:([^/?#]*)@)?(.*)$/s;
/** Shorter values are not redacted: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Expands the `${VAR}` references of `repo` from `env` (values are inserted as they are: percent-encode a token that
 * holds `@`, `:` or `/` yourself).
 * @throws ApplicationFailure `WorkspaceUnavailable` (non-retryable) naming the first variable `env` lacks.
 */
export function expandRepoUrl(repo: string, env: NodeJS.ProcessEnv): RepoUrl {
  const values: string[] = [];
  const url = repo.replace(REFERENCE, (_, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw workspaceUnavailable(`the repo URL references \${${name}}, which is not set on this worker`, {
        nonRetryable: true,
      });
    }
    values.push(value);
    return value;
  });
  const [, scheme, userinfo, rest] = WITH_USERINFO.exec(url) ?? [];
  const hasCredentials = userinfo !== undefined && /^https?:\/\/$/i.test(scheme!);
  const literalPassword = hasCredentials ? literalSecret(repo) : undefined;
  const shown = literalPassword ? repo.split(literalPassword).join('[redacted]') : repo;
  const secrets = [...values, ...(literalPassword ? [literalPassword] : [])]
    .filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  const redact: Redact = (text) => {
    let out = text.split(url).join(shown);
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  const anonymous = scheme !== undefined ? `${scheme}${rest}` : url;
  const cacheKey = createHash('sha256').update(anonymous).digest('hex');
  return { url, shown, hasCredentials, cacheKey, redact };
}

/** The part of an `http(s)://` URL's user information written literally (not a `${VAR}` reference) that is a
 * secret: the password, or a lone token in the user part. */
function literalSecret(repo: string): string | undefined {
  const userinfo = WITH_USERINFO.exec(repo)?.[2];
  if (!userinfo) return undefined;
  const colon = userinfo.indexOf(':');
  const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
  return secret.replace(REFERENCE, '') === '' ? undefined : secret;
}
