// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake GitHub REST API, served under `apiPrefix` (`/api` for github.com emulation, `/api/v3` for GHES).
 * Real github.com serves it at https://api.github.com; our code must take an API base URL override.
 */
import { linkPage, otherKeyText, parseBasicAuth, parseSshKey, parseTokenAuth, resetConnection, safeEqual, sendEmpty, sendJson, type Ctx } from '../common';
import { hasAnyScope, liveToken, revokeGrant, type GitHubKey, type GitHubToken, type GitHubWorld } from './state';

const DOCS = 'https://docs.github.com/rest';

export function createApiRoutes(w: GitHubWorld, apiPrefix: string) {
  const json = (ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}) =>
    sendJson(ctx.res, status, body, { 'x-github-media-type': 'github.v3; format=json', ...headers });
  const notFound = (ctx: Ctx, doc = DOCS, headers: Record<string, string> = {}) =>
    json(ctx, 404, { message: 'Not Found', documentation_url: doc, status: '404' }, headers);

  /**
   * Token auth: `Authorization: Bearer X` or `token X`
   * (https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api).
   * Unknown, revoked or expired tokens: 401 "Bad credentials".
   */
  function authenticate(ctx: Ctx, doc: string): GitHubToken | null {
    const raw = parseTokenAuth(ctx.headers.authorization, ['bearer', 'token']);
    if (!raw) {
      json(ctx, 401, { message: 'Requires authentication', documentation_url: doc, status: '401' });
      return null;
    }
    const t = liveToken(w, raw, 'access');
    if (!t) {
      json(ctx, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
      return null;
    }
    return t;
  }

  /**
   * Missing scope: GitHub answers 404, not 403, on these endpoints
   * (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api: "ensure ... your OAuth
   * access token has the required scopes"), and names the accepted scopes in X-Accepted-OAuth-Scopes.
   */
  function requireScope(ctx: Ctx, t: GitHubToken, accepted: string[], doc: string): boolean {
    if (hasAnyScope(t.scopes, accepted)) return true;
    notFound(ctx, doc, { 'x-oauth-scopes': t.scopes.join(', '), 'x-accepted-oauth-scopes': accepted.join(', ') });
    return false;
  }

  const keyJson = (k: GitHubKey) => ({
    id: k.id, key: k.key, url: `${w.apiUrl}/user/keys/${k.id}`, title: k.title, created_at: k.createdAt,
    verified: true, read_only: false,
  });

  /** GET /user — https://docs.github.com/en/rest/users/users#get-the-authenticated-user */
  function getUser(ctx: Ctx, t: GitHubToken): void {
    const u = w.users.get(t.login);
    if (!u) return notFound(ctx);
    json(ctx, 200, {
      login: u.login, id: u.id, node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
      avatar_url: `${w.url}/avatars/${u.login}`, html_url: `${w.url}/${u.login}`, url: `${w.apiUrl}/users/${u.login}`,
      type: 'User', site_admin: false, name: u.name, email: u.email, created_at: '2011-01-25T18:44:36Z',
    }, { 'x-oauth-scopes': t.scopes.join(', '), 'x-accepted-oauth-scopes': '' });
  }

  /** GET /user/keys — https://docs.github.com/en/rest/users/keys#list-public-ssh-keys-for-the-authenticated-user */
  function listKeys(ctx: Ctx, t: GitHubToken): void {
    if (!requireScope(ctx, t, ['read:public_key'], `${DOCS}/users/keys#list-public-ssh-keys-for-the-authenticated-user`)) return;
    const others = Array.from({ length: w.behavior.otherKeys }, (_, i): GitHubKey => ({
      id: 900_000 + i, key: otherKeyText(i).split(' ').slice(0, 2).join(' '), title: `other ${i}`, login: t.login, createdAt: '2020-01-01T00:00:00Z', grantId: null,
    }));
    // Paginated: per_page defaults to 30 (at most 100), Link header (GitHub's pagination docs).
    const { values, headers } = linkPage(ctx, [...others, ...[...w.keys.values()].filter((k) => k.login === t.login)], { selfUrl: `${w.apiUrl}/user/keys`, defaultPerPage: 30 });
    json(ctx, 200, values.map(keyJson), headers);
  }

  /** POST /user/keys — https://docs.github.com/en/rest/users/keys#create-a-public-ssh-key-for-the-authenticated-user */
  function createKey(ctx: Ctx, t: GitHubToken): void {
    const doc = `${DOCS}/users/keys#create-a-public-ssh-key-for-the-authenticated-user`;
    if (!requireScope(ctx, t, ['write:public_key'], doc)) return;
    if (w.behavior.failKeys) return json(ctx, 500, { message: 'Server Error' });
    if (ctx.json === null || ctx.json === undefined) return json(ctx, 400, { message: 'Problems parsing JSON', documentation_url: doc, status: '400' });
    const keyLine = ctx.params.key;
    if (!keyLine) return json(ctx, 422, { message: 'Invalid request.\n\n"key" wasn\'t supplied.', documentation_url: doc, status: '422' });
    const parsed = parseSshKey(keyLine);
    const invalid = (message: string) => json(ctx, 422, {
      message: 'Validation Failed', errors: [{ resource: 'PublicKey', code: 'custom', field: 'key', message }], documentation_url: doc, status: '422',
    });
    if (!parsed) return invalid("key is invalid. You must supply a key in OpenSSH public key format");
    // A key may exist once on the whole of GitHub (any account, any deploy key); the comment does not count.
    if ([...w.keys.values()].some((k) => k.key === parsed.material)) return invalid('key is already in use');
    const key: GitHubKey = {
      id: w.nextKeyId++, key: parsed.material, title: ctx.params.title ?? '', login: t.login,
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), grantId: t.grantId,
    };
    w.keys.set(key.id, key);
    if (w.behavior.resetAfterKeyStored) return resetConnection(ctx);
    json(ctx, 201, keyJson(key), { location: `${w.apiUrl}/user/keys/${key.id}` });
  }

  /** GET|DELETE /user/keys/{id} — https://docs.github.com/en/rest/users/keys#delete-a-public-ssh-key-for-the-authenticated-user */
  function oneKey(ctx: Ctx, t: GitHubToken, id: number): void {
    const del = ctx.method === 'DELETE';
    const doc = `${DOCS}/users/keys#${del ? 'delete' : 'get'}-a-public-ssh-key-for-the-authenticated-user`;
    // Deleting needs admin:public_key (ARCHITECTURE.md §2 and the scopes table); reading needs read:public_key.
    if (!requireScope(ctx, t, del ? ['admin:public_key'] : ['read:public_key'], doc)) return;
    const k = w.keys.get(id);
    if (!k || k.login !== t.login) return notFound(ctx, doc);
    if (!del) return json(ctx, 200, keyJson(k));
    if (w.behavior.failKeyDelete) return json(ctx, 500, { message: 'Server Error' });
    w.keys.delete(id);
    sendEmpty(ctx.res, 204);
  }

  /**
   * DELETE /applications/{client_id}/grant — https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
   * Basic auth client_id:client_secret, JSON body {access_token}. Deletes every token of the grant; per
   * ARCHITECTURE.md §2 it also deletes every SSH key the app created.
   */
  function deleteGrant(ctx: Ctx, clientId: string): void {
    const doc = `${DOCS}/apps/oauth-applications#delete-an-app-authorization`;
    const basic = parseBasicAuth(ctx.headers.authorization);
    if (!basic) return json(ctx, 401, { message: 'Requires authentication', documentation_url: doc, status: '401' });
    if (!safeEqual(basic.user, w.clientId) || !safeEqual(basic.pass, w.clientSecret) || basic.user !== clientId) return notFound(ctx, doc);
    const token = ctx.params.access_token;
    if (!token) return json(ctx, 422, { message: 'Invalid request.\n\n"access_token" wasn\'t supplied.', documentation_url: doc, status: '422' });
    const t = w.tokens.get(token);
    const grant = t && !t.revoked && t.clientId === clientId ? w.grants.get(t.grantId) : undefined;
    if (!grant) return notFound(ctx, doc);
    revokeGrant(w, grant);
    sendEmpty(ctx.res, 204);
  }

  /**
   * DELETE /applications/{client_id}/token — https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token
   * Basic auth, JSON body {access_token}: revokes that one token (and its refresh token); the grant
   * and the user's other tokens stay.
   */
  function deleteToken(ctx: Ctx, clientId: string): void {
    const doc = `${DOCS}/apps/oauth-applications#delete-an-app-token`;
    const basic = parseBasicAuth(ctx.headers.authorization);
    if (!basic) return json(ctx, 401, { message: 'Requires authentication', documentation_url: doc, status: '401' });
    if (!safeEqual(basic.user, w.clientId) || !safeEqual(basic.pass, w.clientSecret) || basic.user !== clientId) return notFound(ctx, doc);
    const t = w.tokens.get(ctx.params.access_token ?? '');
    if (!t || t.revoked || t.clientId !== clientId) return notFound(ctx, doc);
    t.revoked = true;
    if (t.pair) { const r = w.tokens.get(t.pair); if (r) r.revoked = true; }
    sendEmpty(ctx.res, 204);
  }

  /** Dispatches a request under apiPrefix; returns false when the path is not an API path. */
  return function api(ctx: Ctx): boolean {
    if (ctx.path !== apiPrefix && !ctx.path.startsWith(`${apiPrefix}/`)) return false;
    if (w.behavior.apiDown) {
      sendJson(ctx.res, 503, { message: 'Service Unavailable' }, { 'retry-after': '1' });
      return true;
    }
    const p = ctx.path.slice(apiPrefix.length).replace(/\/+$/, '') || '/';
    const app = /^\/applications\/([^/]+)\/(grant|token)$/.exec(p);
    if (app?.[1] && ctx.method === 'DELETE') {
      (app[2] === 'grant' ? deleteGrant : deleteToken)(ctx, decodeURIComponent(app[1]));
      return true;
    }
    const keyId = /^\/user\/keys\/(\d+)$/.exec(p)?.[1];
    const route =
      p === '/user' && ctx.method === 'GET' ? 'user'
      : p === '/user/keys' && ctx.method === 'GET' ? 'listKeys'
      : p === '/user/keys' && ctx.method === 'POST' ? 'createKey'
      : keyId && (ctx.method === 'GET' || ctx.method === 'DELETE') ? 'oneKey'
      : null;
    if (!route) {
      notFound(ctx);
      return true;
    }
    const t = authenticate(ctx, DOCS);
    if (!t) return true;
    if (route === 'user') getUser(ctx, t);
    else if (route === 'listKeys') listKeys(ctx, t);
    else if (route === 'createKey') createKey(ctx, t);
    else oneKey(ctx, t, Number(keyId));
    return true;
  };
}
