// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** Fake GitLab REST API v4 (the endpoints gitlink uses), under /api/v4. */
import { linkPage, otherKeyText, parseSshKey, parseTokenAuth, resetConnection, sendEmpty, sendJson, type Ctx } from '../common';
import type { GitLabKey, GitLabToken, GitLabWorld } from './state';

export const API_PREFIX = '/api/v4';

export function createApiRoutes(w: GitLabWorld) {
  const json = (ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(ctx.res, status, body, headers);

  /**
   * OAuth bearer auth (https://docs.gitlab.com/api/rest/authentication/#oauth-20-tokens).
   * Missing or unknown token: 401 {"message":"401 Unauthorized"}. Expired or revoked: 401 with the
   * OAuth error shape, wording from GitLab's lib/api/api_guard.rb.
   */
  function authenticate(ctx: Ctx): GitLabToken | null {
    const raw = parseTokenAuth(ctx.headers.authorization, ['bearer']);
    const t = raw ? w.tokens.get(raw) : undefined;
    if (!t) {
      json(ctx, 401, { message: '401 Unauthorized' });
      return null;
    }
    const invalid = (description: string) => json(ctx, 401, { error: 'invalid_token', error_description: description }, {
      'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
    });
    if (t.revoked !== null) {
      invalid('Token was revoked. You have to re-authorize from the user.');
      return null;
    }
    if (t.expiresAt <= Date.now()) {
      invalid('Token is expired. You can either do re-authorization or token refresh.');
      return null;
    }
    return t;
  }

  /** Insufficient scope: 403 {"error":"insufficient_scope",...,"scope":"..."} (api_guard.rb). */
  function requireScope(ctx: Ctx, t: GitLabToken, accepted: string[]): boolean {
    if (accepted.some((s) => t.scopes.includes(s))) return true;
    const description = 'The request requires higher privileges than provided by the access token.';
    json(ctx, 403, { error: 'insufficient_scope', error_description: description, scope: accepted.join(' ') }, {
      'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${description}", scope="${accepted.join(' ')}"`,
    });
    return false;
  }

  const keyJson = (k: GitLabKey) => ({
    id: k.id, title: k.title, created_at: k.createdAt, expires_at: null, key: k.key, usage_type: 'auth_and_signing',
  });

  /** GET /user — https://docs.gitlab.com/api/users/#retrieve-the-current-user (read_user, read_api or api). */
  function getUser(ctx: Ctx, t: GitLabToken): void {
    if (!requireScope(ctx, t, ['read_user', 'read_api', 'api'])) return;
    const u = w.users.get(t.username);
    if (!u) return json(ctx, 404, { message: '404 User Not Found' });
    json(ctx, 200, {
      id: u.id, username: u.username, name: u.name, state: 'active', locked: false,
      avatar_url: `${w.url}/uploads/-/system/user/avatar/${u.id}/avatar.png`, web_url: `${w.url}/${u.username}`,
      created_at: '2015-09-03T07:24:01.670Z', bio: '', public_email: null, email: u.email,
    });
  }

  /** GET /user/keys — https://docs.gitlab.com/api/user_keys/#list-all-ssh-keys */
  function listKeys(ctx: Ctx, t: GitLabToken): void {
    if (!requireScope(ctx, t, ['read_user', 'read_api', 'api'])) return;
    const others = Array.from({ length: w.behavior.otherKeys }, (_, i): GitLabKey => ({
      id: 900_000 + i, title: `other ${i}`, key: otherKeyText(i), fingerprintSha256: `other-${i}`, username: t.username, createdAt: '2020-01-01T00:00:00.000Z',
    }));
    // Paginated: per_page defaults to 20 (at most 100), Link header (GitLab's REST pagination docs).
    const { values, headers } = linkPage(ctx, [...others, ...[...w.keys.values()].filter((k) => k.username === t.username)], { selfUrl: `${w.apiUrl}/user/keys`, defaultPerPage: 20 });
    json(ctx, 200, values.map(keyJson), headers);
  }

  /**
   * POST /user/keys — https://docs.gitlab.com/api/user_keys/#add-an-ssh-key (api scope; form or JSON).
   * A key (by SHA-256 fingerprint, comment ignored) exists once per instance: a duplicate gives
   * 400 {"message":{"fingerprint_sha256":["has already been taken"]}} (GitLab ≥ 15; older: "fingerprint").
   */
  function createKey(ctx: Ctx, t: GitLabToken): void {
    if (!requireScope(ctx, t, ['api'])) return;
    if (w.behavior.failKeys) return json(ctx, 500, { message: '500 Internal Server Error' });
    const missingParams = ['key', 'title'].filter((n) => !ctx.params[n]);
    if (missingParams.length) return json(ctx, 400, { error: missingParams.map((n) => `${n} is missing`).join(', ') });
    const parsed = parseSshKey(ctx.params.key ?? '');
    if (!parsed) return json(ctx, 400, { message: { key: ['is invalid'], fingerprint_sha256: ['cannot be generated'] } });
    if ([...w.keys.values()].some((k) => k.fingerprintSha256 === parsed.fingerprintSha256)) {
      return json(ctx, 400, { message: { fingerprint_sha256: ['has already been taken'] } });
    }
    const key: GitLabKey = {
      id: w.nextKeyId++, title: ctx.params.title ?? '', key: (ctx.params.key ?? '').trim(),
      fingerprintSha256: parsed.fingerprintSha256, username: t.username, createdAt: new Date().toISOString(),
    };
    w.keys.set(key.id, key);
    if (w.behavior.resetAfterKeyStored) return resetConnection(ctx);
    json(ctx, 201, keyJson(key));
  }

  /** GET|DELETE /user/keys/:key_id — https://docs.gitlab.com/api/user_keys/#delete-an-ssh-key (204; 404 "404 Key Not Found"). */
  function oneKey(ctx: Ctx, t: GitLabToken, id: number): void {
    const del = ctx.method === 'DELETE';
    if (!requireScope(ctx, t, del ? ['api'] : ['read_user', 'read_api', 'api'])) return;
    const k = w.keys.get(id);
    if (!k || k.username !== t.username) return json(ctx, 404, { message: '404 Key Not Found' });
    if (!del) return json(ctx, 200, keyJson(k));
    if (w.behavior.failKeyDelete) return json(ctx, 500, { message: '500 Internal Server Error' });
    w.keys.delete(id);
    sendEmpty(ctx.res, 204);
  }

  /** Dispatches a request under /api/v4; returns false when the path is not an API path. */
  return function api(ctx: Ctx): boolean {
    if (ctx.path !== API_PREFIX && !ctx.path.startsWith(`${API_PREFIX}/`)) return false;
    if (w.behavior.apiDown) {
      json(ctx, 503, { message: '503 Service Unavailable' }, { 'retry-after': '1' });
      return true;
    }
    const p = ctx.path.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
    const keyId = /^\/user\/keys\/(\d+)$/.exec(p)?.[1];
    const route =
      p === '/user' && ctx.method === 'GET' ? 'user'
      : p === '/user/keys' && ctx.method === 'GET' ? 'listKeys'
      : p === '/user/keys' && ctx.method === 'POST' ? 'createKey'
      : keyId && (ctx.method === 'GET' || ctx.method === 'DELETE') ? 'oneKey'
      : null;
    if (!route) {
      json(ctx, 404, { error: '404 Not Found' });
      return true;
    }
    const t = authenticate(ctx);
    if (!t) return true;
    if (route === 'user') getUser(ctx, t);
    else if (route === 'listKeys') listKeys(ctx, t);
    else if (route === 'createKey') createKey(ctx, t);
    else oneKey(ctx, t, Number(keyId));
    return true;
  };
}
