/**
 * A git host for the end-to-end tests: real git smart HTTP served by the
 * system's `git http-backend` (a CGI program, git-http-backend(1)) behind a
 * small Node HTTP front that demands HTTP Basic auth and checks it against the
 * fake provider's live tokens.
 *
 * Every other path (OAuth, REST API) is proxied to the fake provider, so one
 * host:port serves git, `/oauth/*` and `/api/v4/*`, as a real GitLab does. That
 * is what lets the provider's base URL be the URL git clones from: gitlink
 * matches git's `host` to the provider by that base URL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitServerOptions {
  /** Bare repositories live here (`GIT_PROJECT_ROOT`). */
  root: string;
  /** Where non-git paths go: the fake provider's URL. */
  upstream: string;
  /** The provider's Basic-auth check: git username convention + a live access token. */
  authorize(username: string, password: string): boolean;
}

export interface GitServer {
  url: string;
  /** Git requests as the front saw them (after auth), for assertions. */
  log: Array<{ method: string; path: string; user: string | null; status: number }>;
  close(): Promise<void>;
}

/** A token as a fake provider records it: live while not revoked and not expired. */
interface FakeToken {
  revoked: unknown;
  expiresAt: number | null;
  /** GitHub's fake keeps refresh tokens in the same map: only access tokens open git. */
  kind?: string;
}

/**
 * The provider's check on git's Basic auth: its git username (GitLab `oauth2`, GitHub
 * `x-access-token`) and, as password, an access token it issued that is still live.
 */
export const acceptsLiveToken =
  (username: string, tokens: Map<string, FakeToken>) =>
  (user: string, pass: string): boolean => {
    const t = tokens.get(pass);
    return user === username && !!t && !t.revoked && (t.kind ?? 'access') === 'access' && (t.expiresAt === null || t.expiresAt > Date.now());
  };

/** git-http-backend from the git on PATH (`git --exec-path`). */
const backend = () => join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');

/** Creates `name` as a bare repository that accepts pushes over HTTP. */
export function createBareRepo(root: string, name: string): string {
  const dir = join(root, name);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  execFileSync('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
  return dir;
}

function basicAuth(header: string | undefined): { user: string; pass: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const log: GitServer['log'] = [];
  const cgi = backend();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git.invalid');
    if (/\.git(\/|$)/.test(url.pathname)) serveGit(req, res, url);
    else proxy(req, res, url);
  });

  function serveGit(req: IncomingMessage, res: ServerResponse, url: URL) {
    const auth = basicAuth(req.headers.authorization);
    if (!auth || !opts.authorize(auth.user, auth.pass)) {
      log.push({ method: req.method ?? 'GET', path: url.pathname, user: auth?.user ?? null, status: 401 });
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="gitlink test"', 'content-type': 'text/plain' }).end('Unauthorized\n');
      return;
    }
    // RFC 3875 (CGI/1.1) meta-variables, plus the two git reads for protocol v2 and gzip bodies.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: opts.root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: auth.user,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    };
    const child = spawn(cgi, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let started = false;
    let status = 200;
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (end < 0) return;
      const sep = head.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      // CGI: a `Status:` header carries the HTTP status (RFC 3875 §6.3.3).
      if (headers.status) status = Number.parseInt(headers.status, 10);
      delete headers.status;
      res.writeHead(status, headers);
      started = true;
      res.write(head.subarray(end + sep));
    });
    child.on('close', () => {
      log.push({ method: req.method ?? 'GET', path: url.pathname, user: auth.user, status });
      if (!started) res.writeHead(502).end('git http-backend answered nothing\n');
      else res.end();
    });
  }

  function proxy(req: IncomingMessage, res: ServerResponse, url: URL) {
    const target = new URL(`${url.pathname}${url.search}`, opts.upstream);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
