/**
 * HTTP side of the dev issuer: the `/dev/*` pages and endpoints. Local mode only.
 *
 * Sign-in session: a successful POST of the login form sets `gitlink-dev-session`
 * (HttpOnly, SameSite=Lax, Path=/dev, as long as a token lives) holding a random id that
 * the issuer maps to the user in memory. A `GET /dev/login` authorize request with a live
 * session redirects back with a code at once, as Cognito's hosted UI does, unless it
 * asks for a fresh sign-in (`prompt=login`, or a `max_age` the session is older than).
 * `GET /dev/logout` ends the session and clears the cookie.
 */
import { isLoopbackHostname } from '@shared/net/loopback';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '@shared/ui/page';
import { devTokenRequest, DEV_CLIENT_ID, type DevIssuer } from './dev-issuer';

const esc = escapeHtml;

const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

const page = (title: string, inner: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin:.75rem 0}input[type=text]{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.5rem 1rem;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
textarea{width:100%;height:8rem;font:12px monospace}.note{color:#555;font-size:.9rem}</style></head>
<body><main>${inner}</main></body></html>`;

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

const SESSION_COOKIE = 'gitlink-dev-session';

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim() || undefined;
  }
  return undefined;
}

/** `Secure` whenever the issuer is served over https; plain http only on loopback (local mode). */
const sessionCookie = (origin: string, value: string, maxAgeS: number) =>
  `${SESSION_COOKIE}=${value}; Path=/dev; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax${origin.startsWith('https:') ? '; Secure' : ''}`;

/**
 * Only redirect back to this server: the dev issuer serves the local UI and
 * nothing else. Any loopback name for this port counts (the UI may be opened as
 * http://127.0.0.1:8787 as well as http://localhost:8787).
 */
function sameOrigin(uri: string | null, origin: string): uri is string {
  if (!uri) return false;
  try {
    const u = new URL(uri);
    const o = new URL(origin);
    return u.origin === o.origin || (u.protocol === o.protocol && u.port === o.port && isLoopbackHostname(u.hostname) && isLoopbackHostname(o.hostname));
  } catch {
    return false;
  }
}

export async function handleDevRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
  issuer: DevIssuer,
  origin: string,
): Promise<boolean> {
  const path = url.pathname;
  if (req.method === 'GET' && path === '/dev/.well-known/openid-configuration') {
    sendJson(res, 200, issuer.discovery());
    return true;
  }
  if (req.method === 'GET' && path === '/dev/jwks.json') {
    sendJson(res, 200, issuer.jwks());
    return true;
  }
  if (req.method === 'GET' && path === '/dev/logout') {
    // OIDC RP-initiated logout: end the sign-in session here and in the browser.
    issuer.endSession(readCookie(req, SESSION_COOKIE));
    const back = url.searchParams.get('post_logout_redirect_uri');
    res
      .writeHead(302, { location: sameOrigin(back, origin) ? back : '/', 'cache-control': 'no-store', 'set-cookie': sessionCookie(origin, '', 0) })
      .end();
    return true;
  }
  if (path === '/dev/login') {
    await loginPage(req, res, url, body, issuer, origin);
    return true;
  }
  if (req.method === 'POST' && path === '/dev/token') {
    await tokenEndpoint(req, res, body, issuer);
    return true;
  }
  return false;
}

async function loginPage(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, issuer: DevIssuer, origin: string) {
  const q = req.method === 'POST' ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
  const oidc = {
    redirectUri: q.get('redirect_uri'),
    state: q.get('state') ?? '',
    codeChallenge: q.get('code_challenge') ?? '',
    clientId: q.get('client_id') ?? '',
    nonce: q.get('nonce') ?? undefined,
  };
  const isAuthorize = oidc.redirectUri !== null;
  if (isAuthorize && !sameOrigin(oidc.redirectUri, origin)) {
    res.writeHead(400, HTML_HEADERS).end(page('Sign-in error', '<h1>Bad redirect_uri</h1><p>Only this origin may sign in here.</p>'));
    return;
  }
  if (isAuthorize && (oidc.clientId !== DEV_CLIENT_ID || !/^[A-Za-z0-9_-]{43}$/.test(oidc.codeChallenge) || q.get('code_challenge_method') !== 'S256')) {
    res.writeHead(400, HTML_HEADERS).end(page('Sign-in error', '<h1>Bad request</h1><p>client_id and a PKCE S256 code_challenge are required.</p>'));
    return;
  }
  /** Back to the UI with a fresh one-time code bound to this request's PKCE challenge. */
  const answer = (who: { sub: string; admin: boolean }, headers: Record<string, string> = {}) => {
    const code = issuer.issueCode({ sub: who.sub, admin: who.admin, redirectUri: oidc.redirectUri!, codeChallenge: oidc.codeChallenge, clientId: oidc.clientId, ...(oidc.nonce ? { nonce: oidc.nonce } : {}) });
    const back = new URL(oidc.redirectUri!);
    back.searchParams.set('code', code);
    if (oidc.state) back.searchParams.set('state', oidc.state);
    res.writeHead(302, { ...headers, location: back.toString(), 'cache-control': 'no-store' }).end();
  };
  const current = issuer.session(readCookie(req, SESSION_COOKIE));
  if (req.method === 'POST') {
    const parsed = devTokenRequest.safeParse({ sub: q.get('username') ?? '', admin: q.get('admin') === 'on' });
    if (!parsed.success) {
      res.writeHead(400, HTML_HEADERS).end(page('Sign in', `<h1>Sign in</h1><p role="alert">Username: letters, digits and @._- only.</p><p><a href="${esc(url.pathname + url.search)}">Try again</a></p>`));
      return;
    }
    // A new sign-in replaces any earlier session (and its id: no fixation).
    issuer.endSession(readCookie(req, SESSION_COOKIE));
    const session = issuer.startSession(parsed.data.sub, parsed.data.admin);
    const setCookie = sessionCookie(origin, session.id, session.maxAgeS);
    if (isAuthorize) {
      answer(parsed.data, { 'set-cookie': setCookie });
      return;
    }
    const token = await issuer.mint(parsed.data.sub, parsed.data.admin);
    res.writeHead(200, { ...HTML_HEADERS, 'set-cookie': setCookie }).end(
      page('Dev token', `<h1>Token for ${esc(parsed.data.sub)}${parsed.data.admin ? ' (admin)' : ''}</h1>
<label for="t">Use it as <code>Authorization: Bearer …</code></label><textarea id="t" readonly>${esc(token)}</textarea>
<p class="note">Or open <a href="/">the web UI</a>, which signs you in through this page.</p>`),
    );
    return;
  }
  if (isAuthorize) {
    // OIDC Core §3.1.2.1: `prompt=login` (or `select_account`, `consent`) and `max_age` ask for a fresh sign-in;
    // `prompt=none` must not show a page at all.
    const prompt = (q.get('prompt') ?? '').split(' ').filter(Boolean);
    const maxAge = q.get('max_age');
    // `max_age=0` never reuses a session; an unreadable max_age counts as 0.
    const recent = (s: { authTime: number }) => maxAge === null || (/^\d+$/.test(maxAge) && Date.now() - s.authTime < Number(maxAge) * 1000);
    const reuse = current !== undefined && recent(current) && !prompt.some((p) => p === 'login' || p === 'select_account' || p === 'consent');
    if (reuse) {
      answer(current);
      return;
    }
    if (prompt.includes('none')) {
      const back = new URL(oidc.redirectUri!);
      back.searchParams.set('error', 'login_required');
      if (oidc.state) back.searchParams.set('state', oidc.state);
      res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' }).end();
      return;
    }
  }
  const hidden = isAuthorize
    ? ['redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'client_id', 'nonce', 'response_type', 'scope']
        .filter((k) => q.get(k) !== null)
        .map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k)!)}">`)
        .join('')
    : '';
  res.writeHead(200, HTML_HEADERS).end(
    page('Sign in to gitlink (local)', `<h1>Sign in to gitlink</h1>
<p class="note">Local dev issuer: any username works. Never exposed outside local mode.</p>
<form method="post" action="/dev/login">${hidden}
<label for="username">Username</label><input id="username" name="username" type="text" required autofocus autocomplete="username" pattern="[A-Za-z0-9@._\\-]{1,64}" value="${esc(current?.sub ?? 'alice')}">
<label><input type="checkbox" name="admin"> Admin (member of the admin group)</label>
<button type="submit">Sign in</button></form>`),
  );
}

async function tokenEndpoint(req: IncomingMessage, res: ServerResponse, body: Buffer, issuer: DevIssuer) {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type === 'application/x-www-form-urlencoded') {
    const f = new URLSearchParams(body.toString('utf8'));
    if (f.get('grant_type') !== 'authorization_code') {
      sendJson(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const tokens = await issuer.redeemCode({
      code: f.get('code') ?? '',
      redirectUri: f.get('redirect_uri') ?? '',
      codeVerifier: f.get('code_verifier') ?? '',
      clientId: f.get('client_id') ?? '',
    });
    if (!tokens) sendJson(res, 400, { error: 'invalid_grant' });
    else sendJson(res, 200, tokens);
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    sendJson(res, 400, { error: { code: 'invalid_json', message: 'Send {"sub":"alice","admin":true}.' } });
    return;
  }
  const parsed = devTokenRequest.safeParse(json);
  if (!parsed.success) {
    sendJson(res, 400, { error: { code: 'invalid_request', message: 'sub: letters, digits and @._- only, at most 64' } });
    return;
  }
  sendJson(res, 200, { token: await issuer.mint(parsed.data.sub, parsed.data.admin) });
}
