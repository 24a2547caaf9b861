/**
 * A real git remote for tests and benchmarks, served over the network on 127.0.0.1 (an ephemeral port): git's smart HTTP
 * (`git http-backend`, run as a CGI program per request by a small node HTTP server), fetch and push, over bare
 * repositories in a temporary directory. Optionally the requests must carry a password (HTTP basic authentication),
 * so tests can check that credentials reach git and nowhere else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../activities/workspace/git.js';
import { stopProcess } from '../server/stop-process.js';

/** One commit of a branch, newest first in {@link GitRemote.log}. */
export interface RemoteCommit {
  sha: string;
  parents: string[];
  subject: string;
  /** The trailers of the message (`Key: value`); the last value of a repeated key. */
  trailers: Record<string, string>;
}

/** A running remote. */
export interface GitRemote {
  /** The folder holding the bare repositories (`<name>.git`). */
  root: string;
  /** `http://127.0.0.1:<port>/<name>.git`, with `userinfo@` (e.g. `convo:${TOKEN}`) after the scheme when given. */
  url(name: string, userinfo?: string): string;
  /** Makes the bare repository `name` with one commit of `files` (path → content) on `opts.branch` (default
   * `main`), its default branch. */
  createRepo(name: string, files: Record<string, string>, opts?: { branch?: string }): Promise<void>;
  /** Commits as someone else (`Someone <someone@example.com>`) on `branch` of `name` (made from the default branch
   * when absent): `files` written (`null` deletes). @returns the commit id. */
  commit(name: string, branch: string, files: Record<string, string | null>, message?: string): Promise<string>;
  /** The commits of `branch` in `name`, newest first; empty when the branch does not exist. */
  log(name: string, branch: string): Promise<RemoteCommit[]>;
  /** Requests served so far, e.g. to tell a fetch from a clone. */
  requests: { method: string; path: string; service?: string }[];
  /** Stops serving; resolves once the server is closed and every `git http-backend` it ran has exited. */
  stop(): Promise<void>;
}

const IDENTITY = ['-c', 'user.name=Someone', '-c', 'user.email=someone@example.com', '-c', 'commit.gpgSign=false'];

/**
 * Starts a remote.
 * @param options.password when set, every request must authenticate (basic) with this password (any user name).
 */
export async function startGitRemote(options: { password?: string } = {}): Promise<GitRemote> {
  const root = await mkdtemp(join(tmpdir(), 'convo-git-remote-'));
  const children = new Set<ChildProcess>();
  const requests: GitRemote['requests'] = [];
  const server = createServer((req, res) => {
    if (options.password && !authorized(req, options.password)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="convo-test"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      service: url.searchParams.get('service') ?? url.pathname.split('/').pop(),
    });
    serveCgi(req, res, url, root, children);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const bare = (name: string): string => join(root, `${name}.git`);

  return {
    root,
    requests,
    url: (name, userinfo) => `http://${userinfo ? `${userinfo}@` : ''}127.0.0.1:${port}/${name}.git`,
    async createRepo(name, files, opts = {}) {
      const branch = opts.branch ?? 'main';
      await git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare(name)]);
      const work = await mkdtemp(join(tmpdir(), 'convo-git-remote-work-'));
      try {
        await git(['init', '--quiet', `--initial-branch=${branch}`], { cwd: work });
        await writeFiles(work, files);
        await git(['add', '--all'], { cwd: work });
        await git([...IDENTITY, 'commit', '--quiet', '-m', 'initial commit'], { cwd: work });
        await git(['push', '--quiet', bare(name), `HEAD:refs/heads/${branch}`], { cwd: work });
      } finally {
        await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 40 });
      }
    },
    async commit(name, branch, files, message = 'a commit by someone else') {
      const work = await mkdtemp(join(tmpdir(), 'convo-git-remote-work-'));
      try {
        const exists = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: bare(name) })
          .then(() => true)
          .catch(() => false);
        await git(['clone', '--quiet', ...(exists ? ['--branch', branch] : []), bare(name), work]);
        await writeFiles(work, files);
        await git(['add', '--all'], { cwd: work });
        await git([...IDENTITY, 'commit', '--quiet', '--allow-empty', '-m', message], { cwd: work });
        await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work });
        return (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
      } finally {
        await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 40 });
      }
    },
    async log(name, branch) {
      const out = await git(
        ['log', '--format=%H%x1f%P%x1f%s%x1f%(trailers:only,unfold)%x1e', `refs/heads/${branch}`, '--'],
        { cwd: bare(name) },
      ).catch(() => '');
      return out
        .split('\x1e')
        .map((r) => r.trim())
        .filter(Boolean)
        .map((record) => {
          const [sha, parents, subject, trailers] = record.split('\x1f');
          return {
            sha: sha!,
            parents: parents ? parents.split(' ') : [],
            subject: subject!,
            trailers: Object.fromEntries(
              (trailers ?? '')
                .split('\n')
                .map((l) => /^([^:\s]+):\s*(.*)$/.exec(l.trim()))
                .filter((m): m is RegExpExecArray => m !== null)
                .map((m) => [m[1]!, m[2]!]),
            ),
          };
        });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...children].map((c) => stopProcess(c)));
      await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 40 });
    },
  };
}

function authorized(req: IncomingMessage, password: string): boolean {
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === password;
}

/** Runs `git http-backend` for one request (CGI: the request in the environment and on stdin, the response's
 * headers then body on stdout). */
function serveCgi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  root: string,
  children: Set<ChildProcess>,
): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  const child = spawn('git', ['-c', 'http.receivepack=true', 'http-backend'], {
    env: {
      PATH: process.env.PATH,
      HOME: root,
      ...headers,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-length'] && { CONTENT_LENGTH: req.headers['content-length'] }),
      REMOTE_USER: 'convo-test',
      REMOTE_ADDR: '127.0.0.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => {
    if (!res.headersSent) res.writeHead(500).end();
  });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let head = Buffer.alloc(0);
  let started = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
    if (end < 0) return;
    const sep = head[end] === 0x0d ? 4 : 2;
    let status = 200;
    const out: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else out[name] = value;
    }
    res.writeHead(status, out);
    started = true;
    res.write(head.subarray(end + sep));
  });
  child.stdout.on('end', () => {
    if (!started) res.writeHead(500, { 'Content-Type': 'text/plain' }).write(stderr);
    res.end();
  });
}

async function writeFiles(work: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(work, path);
    if (content === null) {
      await rm(abs, { recursive: true, force: true, maxRetries: 10, retryDelay: 40 });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}
