/**
 * A repo-mode conversation's remote URL as the client checks it when a conversation starts: credentials are never
 * written into it (`${VAR}` references, expanded by the workers: see `src/activities/workspace/repo-url.ts`).
 */

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
