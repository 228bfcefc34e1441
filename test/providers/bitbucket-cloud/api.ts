// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake api.bitbucket.org/2.0, the endpoints gitlink uses:
 * - GET /user (scope `account`): https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/
 * - GET|POST /users/{selected_user}/ssh-keys, DELETE …/ssh-keys/{key_id} (POST/DELETE: `account:write`):
 *   https://developer.atlassian.com/cloud/bitbucket/rest/api-group-ssh/
 * A key registered anywhere gives 400 "Someone has already registered that SSH key."
 * (https://support.atlassian.com/bitbucket-cloud/kb/why-am-i-not-able-to-add-an-ssh-key-in-bitbucket-cloud/).
 * Errors: `{"type":"error","error":{"message":…}}`.
 */
import { otherKeyText, parseSshKey, resetConnection, sendEmpty, sendJson, type Ctx } from '../common';
import { braced, hasScope, type CloudKey, type CloudToken, type CloudUser, type CloudWorld } from './state';

export const CLOUD_API_PREFIX = '/2.0';

export function createCloudApiRoutes(w: CloudWorld) {
  const error = (ctx: Ctx, status: number, message: string, extra: Record<string, unknown> = {}) =>
    sendJson(ctx.res, status, { type: 'error', error: { message, ...extra } });

  function authenticate(ctx: Ctx): CloudToken | null {
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? '');
    const t = m ? w.tokens.get(m[1]!) : undefined;
    if (!t || t.revoked) {
      error(ctx, 401, 'Token is invalid, expired, or not supported for this endpoint.');
      return null;
    }
    if (t.expiresAt <= Date.now()) {
      error(ctx, 401, 'Access token expired. Use your refresh token to obtain a new access token.');
      return null;
    }
    return t;
  }
  const need = (ctx: Ctx, t: CloudToken, scope: string) => {
    if (scope.endsWith(':write') ? t.scopes.includes(scope) : hasScope(t.scopes, scope)) return true;
    error(ctx, 403, 'Your credentials lack one or more required privilege scopes.', { detail: { granted: t.scopes, required: [scope] } });
    return false;
  };

  const userJson = (u: CloudUser) => ({
    type: 'user', uuid: u.uuid, account_id: u.accountId, nickname: u.nickname, username: u.nickname, display_name: u.displayName,
    links: { html: { href: `${w.url}/${u.nickname}/` } },
  });
  const keyJson = (k: CloudKey) => ({
    type: 'ssh_key', uuid: k.uuid, key: k.key.split(/\s+/).slice(0, 2).join(' '), comment: k.key.split(/\s+/).slice(2).join(' '),
    label: k.label, created_on: k.createdOn, last_used: null, owner: userJson(w.users.get(k.owner)!),
  });

  function keys(ctx: Ctx, t: CloudToken, selected: string, keyId: string | undefined): void {
    const owner = w.users.get(t.owner)!;
    if (selected !== owner.uuid && selected !== owner.accountId) return error(ctx, 403, 'You may not access SSH keys of another account.');
    if (ctx.method === 'GET' && !keyId) {
      if (!need(ctx, t, 'account')) return;
      const others = Array.from({ length: w.behavior.otherKeys }, (_, i): CloudKey => ({
        uuid: `{00000000-0000-4000-8000-${String(i).padStart(12, '0')}}`, key: otherKeyText(i), label: `other ${i}`, owner: owner.uuid, fingerprintSha256: `other-${i}`, createdOn: '2020-01-01T00:00:00.000Z',
      }));
      const mine = [...others, ...[...w.keys.values()].filter((k) => k.owner === owner.uuid)];
      const pagelen = Math.min(100, Number(ctx.query.get('pagelen') ?? 10) || 10);
      const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
      const values = mine.slice((page - 1) * pagelen, page * pagelen).map(keyJson);
      const more = page * pagelen < mine.length;
      return sendJson(ctx.res, 200, {
        pagelen, page, size: mine.length, values,
        ...(more ? { next: `${w.apiUrl}/users/${encodeURIComponent(owner.uuid)}/ssh-keys?pagelen=${pagelen}&page=${page + 1}` } : {}),
      });
    }
    if (ctx.method === 'POST' && !keyId) {
      if (!need(ctx, t, 'account:write')) return;
      if (w.behavior.failKeys) return error(ctx, 500, 'Something went wrong.');
      const body = (ctx.json ?? {}) as { key?: unknown; label?: unknown };
      const parsed = typeof body.key === 'string' ? parseSshKey(body.key) : null;
      if (!parsed) return error(ctx, 400, 'Bad request', { fields: { key: ['Invalid SSH key.'] } });
      if ([...w.keys.values()].some((k) => k.fingerprintSha256 === parsed.fingerprintSha256)) {
        const message = 'Someone has already registered that SSH key.';
        return error(ctx, 400, message, { fields: { key: [message] } });
      }
      const k: CloudKey = {
        uuid: braced(), key: (body.key as string).trim(), label: typeof body.label === 'string' ? body.label : '', owner: owner.uuid,
        fingerprintSha256: parsed.fingerprintSha256, createdOn: new Date().toISOString(),
      };
      w.keys.set(k.uuid, k);
      if (w.behavior.resetAfterKeyStored) return resetConnection(ctx);
      return sendJson(ctx.res, 201, keyJson(k));
    }
    if (ctx.method === 'DELETE' && keyId) {
      if (!need(ctx, t, 'account:write')) return;
      const k = w.keys.get(keyId);
      if (!k || k.owner !== owner.uuid) return error(ctx, 404, 'SSH key not found.');
      w.keys.delete(keyId);
      return sendEmpty(ctx.res, 204);
    }
    error(ctx, 405, 'Method not allowed.');
  }

  return function api(ctx: Ctx): boolean {
    if (!ctx.path.startsWith(`${CLOUD_API_PREFIX}/`)) return false;
    if (w.behavior.apiDown) {
      error(ctx, 503, 'Service unavailable.');
      return true;
    }
    const p = ctx.path.slice(CLOUD_API_PREFIX.length);
    const m = /^\/users\/([^/]+)\/ssh-keys(?:\/([^/]+))?$/.exec(p);
    if (p !== '/user' && !m) {
      error(ctx, 404, 'Resource not found');
      return true;
    }
    const t = authenticate(ctx);
    if (!t) return true;
    if (p === '/user') {
      if (ctx.method !== 'GET') error(ctx, 405, 'Method not allowed.');
      else if (need(ctx, t, 'account')) sendJson(ctx.res, 200, userJson(w.users.get(t.owner)!));
      return true;
    }
    keys(ctx, t, decodeURIComponent(m![1]!), m![2] ? decodeURIComponent(m![2]) : undefined);
    return true;
  };
}
