// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Shared pieces of the fake provider servers (GitHub, GitLab): an in-process
 * node:http server on 127.0.0.1, a request log, a per-test mutable `Behavior`,
 * body/auth parsing, PKCE, SSH key parsing and the accessible approve page.
 *
 * The fakes play the real providers, quirks included, so that code passing
 * against them passes against github.com / gitlab.com. Every quirk is cited
 * in the provider module that encodes it.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** Switches a test flips per test. A plain mutable object: assign to it. */
export interface Behavior {
  /** Authorize answers `error=access_denied` instead of a code (auto mode). */
  deny: boolean;
  /** Login (GitHub) / username (GitLab) that auto mode authorizes as; created on first use. */
  nextUser: string;
  /** Force this HTTP status on the token endpoint (e.g. 500, 503, 429). `null` = normal. */
  tokenStatus: number | null;
  /** How many token requests `tokenStatus` applies to before it clears itself. Default Infinity. */
  tokenStatusTimes: number;
  /** Server-relative path prefixes (e.g. '/login/oauth/access_token', '/api/v4/user') that never answer. */
  hang: Set<string>;
  /** Force HTTP 500 on SSH key upload. */
  failKeys: boolean;
  /** Force HTTP 500 on SSH key delete (the key stays registered). */
  failKeyDelete: boolean;
  /** SSH key upload stores the key, then resets the connection: the answer is lost (issue 10, attack 5). */
  resetAfterKeyStored: boolean;
  /**
   * The account also holds this many keys gitlink did not add, listed before gitlink's (an
   * older account's keys): list-keys answers then span pages, as the real APIs paginate them.
   */
  otherKeys: number;
  /** Every API call (under apiUrl) answers 503. The OAuth endpoints keep working. */
  apiDown: boolean;
  /** Extra latency in ms per server-relative path prefix, e.g. `{ '/oauth/token': 300 }`. */
  delayMs: Record<string, number>;
  /** Count of `grant_type=refresh_token` requests received, whatever their outcome. */
  refreshCalls: number;
  /** Lifetime of newly issued expiring access tokens, in seconds. */
  accessTokenTtlSeconds: number;
}

export function defaultBehavior(nextUser: string, accessTokenTtlSeconds: number): Behavior {
  return {
    deny: false,
    nextUser,
    tokenStatus: null,
    tokenStatusTimes: Infinity,
    hang: new Set(),
    failKeys: false,
    failKeyDelete: false,
    resetAfterKeyStored: false,
    otherKeys: 0,
    apiDown: false,
    delayMs: {},
    refreshCalls: 0,
    accessTokenTtlSeconds,
  };
}

/** One request as the fake received it. Headers are lower-cased; Authorization is kept so tests can assert. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Raw body text ('' when none). */
  body: string;
  at: number;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Form or JSON body flattened to strings (non-string JSON values are dropped). */
  params: Record<string, string>;
  /** The parsed JSON body, `undefined` if the body was not JSON, `null` if it failed to parse. */
  json: unknown;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

/**
 * A PEM key and certificate: the fake then serves https (the deployed tier's providers must be
 * https), on `host`, an address the certificate names (the deployed tier's is not loopback).
 */
export interface ServerTls {
  key: string;
  cert: string;
  host?: string;
}

export interface StartedServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1, or the TLS host (random port unless given). */
export async function startServer(opts: {
  behavior: Behavior;
  requests: RecordedRequest[];
  handler: Handler;
  port?: number;
  tls?: ServerTls;
}): Promise<StartedServer> {
  const listener: RequestListener = (req, res) => {
    void serve(req, res, opts).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: 'fake provider crashed', detail: String(err) });
      else res.destroy();
    });
  };
  const server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createServer(listener);
  const host = opts.tls?.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests and keep-alive sockets would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { behavior: Behavior; requests: RecordedRequest[]; handler: Handler },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const rawBody = await readBody(req);
  const method = (req.method ?? 'GET').toUpperCase();
  opts.requests.push({
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body: rawBody,
    at: Date.now(),
  });
  const b = opts.behavior;
  if ([...b.hang].some((p) => url.pathname.startsWith(p))) return; // never answer
  const delay = Object.entries(b.delayMs).find(([p]) => url.pathname.startsWith(p))?.[1] ?? 0;
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const { params, json } = parseBody(req.headers['content-type'], rawBody);
  await opts.handler({ req, res, method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, params, json });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(contentType: string | undefined, raw: string): { params: Record<string, string>; json: unknown } {
  if (!raw) return { params: {}, json: undefined };
  if ((contentType ?? '').toLowerCase().includes('json')) {
    try {
      const json: unknown = JSON.parse(raw);
      const params: Record<string, string> = {};
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        for (const [k, v] of Object.entries(json)) if (typeof v === 'string') params[k] = v;
      }
      return { params, json };
    } catch {
      return { params: {}, json: null };
    }
  }
  return { params: Object.fromEntries(new URLSearchParams(raw)), json: undefined };
}

/** Consumes one application of `behavior.tokenStatus`; returns the status to force, if any. */
export function takeForcedTokenStatus(b: Behavior): number | null {
  if (b.tokenStatus === null || b.tokenStatusTimes <= 0) return null;
  const status = b.tokenStatus;
  b.tokenStatusTimes -= 1;
  if (b.tokenStatusTimes <= 0) {
    b.tokenStatus = null;
    b.tokenStatusTimes = Infinity;
  }
  return status;
}

/** Answers a forced failure the way a load balancer does: an HTML body, not the API's JSON. */
export function sendForcedFailure(res: ServerResponse, status: number): void {
  const headers: Record<string, string> = status === 429 || status === 503 ? { 'retry-after': '1' } : {};
  sendHtml(res, status, `<!DOCTYPE html><html><body><h1>${status}</h1><p>Forced by the test.</p></body></html>`, headers);
}

// ---------- responses ----------

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendForm(res: ServerResponse, status: number, body: Record<string, string | number>, headers: Record<string, string> = {}): void {
  const text = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString();
  res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The approve page carries no script; the CSP proves it (form-action does not fall back to default-src). */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'content-length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

/** Adds query parameters to a URL that may already carry some (RFC 6749 §3.1.2: keep them). */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

// ---------- auth helpers ----------

/** RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded before base64. */
export function parseBasicAuth(header: string | undefined): { user: string; pass: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  try {
    return { user: decodeURIComponent(decoded.slice(0, i)), pass: decodeURIComponent(decoded.slice(i + 1)) };
  } catch {
    return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
  }
}

/** Token from `Authorization: <scheme> <token>` for one of the accepted schemes (case-insensitive). */
export function parseTokenAuth(header: string | undefined, schemes: string[]): string | null {
  const m = /^(\S+)\s+(\S+)$/.exec(header ?? '');
  if (!m?.[1] || !m[2]) return null;
  return schemes.some((s) => s.toLowerCase() === m[1]!.toLowerCase()) ? m[2] : null;
}

/** Client credentials from the body or from HTTP Basic (body wins when both are sent). */
export function clientCredentials(ctx: Ctx): { clientId?: string; clientSecret?: string } {
  const basic = parseBasicAuth(ctx.headers.authorization);
  return { clientId: ctx.params.client_id ?? basic?.user, clientSecret: ctx.params.client_secret ?? basic?.pass };
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 7636 §4.6. `plain` only where the provider accepts it. */
export function pkceMatches(method: string, challenge: string, verifier: string | undefined): boolean {
  if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = method === 'S256' ? pkceChallenge(verifier) : verifier;
  return safeEqual(computed, challenge);
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

// ---------- random values ----------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The `i`th of `Behavior.otherKeys`: a well-formed ed25519 public key that is nobody's real key. */
export function otherKeyText(i: number): string {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), createHash('sha256').update(`other-key-${i}`).digest()]);
  return `ssh-ed25519 ${blob.toString('base64')} other-${i}@laptop`;
}

/**
 * A page of a list the way GitHub and GitLab paginate REST lists: `page` (from 1) and
 * `per_page` (default per provider, at most 100), an RFC 8288 `Link` header with
 * rel="next"/"prev"/"first"/"last" as absolute URLs.
 * https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 * https://docs.gitlab.com/api/rest/#pagination-link-header
 */
export function linkPage<T>(ctx: Ctx, all: T[], o: { selfUrl: string; defaultPerPage: number }): { values: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? o.defaultPerPage) || o.defaultPerPage));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const at = (n: number) => {
    const u = new URL(o.selfUrl);
    for (const [k, v] of ctx.query) u.searchParams.set(k, v);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(n));
    return u.toString();
  };
  const rels = [
    ...(page < last ? [`<${at(page + 1)}>; rel="next"`] : []),
    ...(page > 1 ? [`<${at(page - 1)}>; rel="prev"`] : []),
    `<${at(1)}>; rel="first"`,
    `<${at(last)}>; rel="last"`,
  ];
  return { values: all.slice((page - 1) * perPage, page * perPage), headers: { link: rels.join(', ') } };
}

/** Stores nothing more: drops the connection, so the client never learns what happened. */
export function resetConnection(ctx: Ctx): void {
  ctx.req.socket.destroy();
}

export { parseSshKey, type ParsedSshKey } from './ssh';
export { approvePage, errorPage, escapeHtml, PendingRequests } from './page';
