/**
 * A repo-mode conversation's remote URL as the client sees it: checked when a conversation starts (credentials never
 * written into it), and expanded when the client itself reads the remote (`convo diff`). `${VAR}` references are
 * expanded from the environment, as workers expand them from theirs; the expanded URL is never shown.
 */
import { ConvoError } from './errors.js';

/** A `${NAME}` reference in a URL. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Why `url` cannot be a conversation's `repo`: a password or token written into it (it would enter workflow
 * history: put it in a variable of the workers' environment and write `${VAR}`), or whitespace.
 * @returns a one-line reason, or undefined when it is fine.
 */
export function repoUrlProblem(url: string): string | undefined {
  if (/\s/.test(url)) return 'repo must be a git URL without spaces';
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(url)?.[1];
  const password = userinfo?.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : undefined;
  if (password && password.replace(REFERENCE, '') !== '') {
    return 'repo holds a password or token: keep it out of history with a ${VAR} reference the workers expand, e.g. https://user:${GIT_TOKEN}@host/repo.git';
  }
  return undefined;
}

/** A repo URL ready for git's command line, and how to keep it out of messages. */
export interface ExpandedRepoUrl {
  /** The URL with every `${VAR}` replaced by its value: pass it to git, never show it. */
  url: string;
  /** `text` with the expanded URL put back as given, and every referenced value by its reference (`${VAR}`). */
  redact: (text: string) => string;
}

/**
 * Expands the `${VAR}` references of `url` from `env`.
 * @throws ConvoError `InvalidOptions` naming a variable `env` does not set (one line, no value shown).
 */
export function expandRepoUrl(url: string, env: NodeJS.ProcessEnv = process.env): ExpandedRepoUrl {
  const values = new Map<string, string>();
  const expanded = url.replace(REFERENCE, (reference: string, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ConvoError('InvalidOptions', `repo ${url} refers to ${reference}, which is not set here`);
    }
    values.set(value, reference);
    return value;
  });
  // Longest first, so that a value holding another goes whole; very short ones would replace ordinary text.
  const secrets = [...values].filter(([v]) => v.length >= 3).sort(([a], [b]) => b.length - a.length);
  return {
    url: expanded,
    redact: (text) => secrets.reduce((out, [v, ref]) => out.split(v).join(ref), text.split(expanded).join(url)),
  };
}
