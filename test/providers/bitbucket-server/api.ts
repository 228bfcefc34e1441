// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake Bitbucket Server / Data Center REST endpoints gitlink uses. Authentication is
 * passed in: OAuth 1.0a signatures (Server) or Bearer tokens (Data Center).
 * - GET /plugins/servlet/applinks/whoami: the username, text/plain
 * - GET /rest/api/1.0/users/{slug}, GET /rest/api/1.0/users?filter= (paged)
 *   https://developer.atlassian.com/server/bitbucket/rest/v815/api-group-system-maintenance/
 * - GET|POST /rest/ssh/1.0/keys, DELETE /rest/ssh/1.0/keys/{id}
 *   https://developer.atlassian.com/static/rest/bitbucket-server/4.1.0/bitbucket-ssh-rest.html
 * Errors use Bitbucket's `{"errors":[{"context","message","exceptionName"}]}` shape; a duplicate
 * key is 409 DuplicateSshKeyException whoever owns it.
 */
import { otherKeyText, parseSshKey, resetConnection, sendEmpty, sendJson, type Ctx } from '../common';
import type { BbsKey, BbsUser, BbsWorld } from './state';

/** Answers the request itself (401…) and returns null when the caller is not authenticated. */
export type Authenticate = (ctx: Ctx) => string | null;

const errors = (message: string, exceptionName: string | null = null, context: string | null = null) => ({
  errors: [{ context, message, exceptionName }],
});

const userJson = (w: BbsWorld, u: BbsUser) => ({
  name: u.name, emailAddress: u.email, active: true, displayName: u.displayName, id: u.id, slug: u.slug, type: 'NORMAL',
  links: { self: [{ href: `${w.url}/users/${u.slug}` }] },
});
const keyJson = (k: BbsKey) => ({ id: k.id, text: k.text, label: k.label });

/** Bitbucket paging: `?start=&limit=` → `{size, limit, isLastPage, values, start, nextPageStart?}`. */
function paged<T>(ctx: Ctx, all: T[]) {
  const start = Math.max(0, Number(ctx.query.get('start') ?? 0) || 0);
  const limit = Math.min(1000, Math.max(1, Number(ctx.query.get('limit') ?? 25) || 25));
  const values = all.slice(start, start + limit);
  const isLastPage = start + limit >= all.length;
  return { size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : { nextPageStart: start + limit }) };
}

export function createApiRoutes(w: BbsWorld, authenticate: Authenticate) {
  const json = (ctx: Ctx, status: number, body: unknown) => sendJson(ctx.res, status, body);
  const userByName = (name: string) => w.users.get(name);

  function whoami(ctx: Ctx, username: string): void {
    ctx.res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' });
    ctx.res.end(username);
  }

  function oneUser(ctx: Ctx, slug: string): void {
    if (!w.usersApi) return json(ctx, 404, errors('Not found.'));
    const u = [...w.users.values()].find((x) => x.slug === slug);
    if (!u) return json(ctx, 404, errors(`User ${slug} does not exist.`, 'com.atlassian.bitbucket.user.NoSuchUserException'));
    json(ctx, 200, userJson(w, u));
  }

  function listUsers(ctx: Ctx): void {
    if (!w.usersApi) return json(ctx, 404, errors('Not found.'));
    const filter = (ctx.query.get('filter') ?? '').toLowerCase();
    const matches = [...w.users.values()].filter((u) => !filter || u.name.toLowerCase().includes(filter) || u.email.includes(filter));
    json(ctx, 200, paged(ctx, matches.map((u) => userJson(w, u))));
  }

  const otherKeys = (username: string) =>
    Array.from({ length: w.behavior.otherKeys }, (_, i): BbsKey => ({ id: 900_000 + i, text: otherKeyText(i), label: `other ${i}`, username, fingerprintSha256: `other-${i}` }));

  function createKey(ctx: Ctx, username: string): void {
    if (w.behavior.failKeys) return json(ctx, 500, errors('An unexpected error occurred.'));
    const text = typeof (ctx.json as { text?: unknown })?.text === 'string' ? (ctx.json as { text: string }).text : '';
    const label = typeof (ctx.json as { label?: unknown })?.label === 'string' ? (ctx.json as { label: string }).label : '';
    if (!text) return json(ctx, 400, errors('A key is required.', 'com.atlassian.bitbucket.validation.ArgumentValidationException', 'text'));
    const parsed = parseSshKey(text);
    if (!parsed) return json(ctx, 400, errors('The public key is not a valid SSH key.', 'com.atlassian.bitbucket.ssh.InvalidSshKeyException', 'text'));
    const dup = [...w.keys.values()].find((k) => k.fingerprintSha256 === parsed.fingerprintSha256);
    if (dup) {
      return json(ctx, 409, errors(
        dup.username === username ? 'This SSH key has already been added to your account.' : 'This SSH key is already in use by another user or as an access key.',
        'com.atlassian.bitbucket.ssh.DuplicateSshKeyException',
      ));
    }
    const k: BbsKey = { id: w.nextKeyId++, text: text.trim(), label, username, fingerprintSha256: parsed.fingerprintSha256 };
    w.keys.set(k.id, k);
    if (w.behavior.resetAfterKeyStored) return resetConnection(ctx);
    json(ctx, 201, keyJson(k));
  }

  function deleteKey(ctx: Ctx, username: string, id: number): void {
    const k = w.keys.get(id);
    if (!k || k.username !== username) return json(ctx, 404, errors(`No SSH key exists with ID ${id}.`, 'com.atlassian.bitbucket.ssh.NoSuchSshKeyException'));
    w.keys.delete(id);
    sendEmpty(ctx.res, 204);
  }

  /** Dispatches a REST path; false when the path is not one of these. */
  return function api(ctx: Ctx): boolean {
    const p = ctx.path;
    const slug = /^\/rest\/api\/(?:1\.0|latest)\/users\/([^/]+)$/.exec(p)?.[1];
    const keyId = /^\/rest\/ssh\/(?:1\.0|latest)\/keys\/(\d+)$/.exec(p)?.[1];
    const route =
      p === '/plugins/servlet/applinks/whoami' && ctx.method === 'GET' ? 'whoami'
      : /^\/rest\/api\/(?:1\.0|latest)\/users$/.test(p) && ctx.method === 'GET' ? 'listUsers'
      : slug && ctx.method === 'GET' ? 'oneUser'
      : /^\/rest\/ssh\/(?:1\.0|latest)\/keys$/.test(p) && ctx.method === 'GET' ? 'listKeys'
      : /^\/rest\/ssh\/(?:1\.0|latest)\/keys$/.test(p) && ctx.method === 'POST' ? 'createKey'
      : keyId && ctx.method === 'DELETE' ? 'deleteKey'
      : null;
    if (!route) {
      if (!p.startsWith('/rest/')) return false;
      json(ctx, 404, errors(`No resource at ${p}.`));
      return true;
    }
    if (w.behavior.apiDown) {
      json(ctx, 503, errors('Bitbucket is unavailable.'));
      return true;
    }
    const username = authenticate(ctx);
    if (username === null) return true;
    if (!userByName(username)) {
      json(ctx, 401, errors('Authentication failed.'));
      return true;
    }
    if (route === 'whoami') whoami(ctx, username);
    else if (route === 'oneUser') oneUser(ctx, decodeURIComponent(slug!));
    else if (route === 'listUsers') listUsers(ctx);
    else if (route === 'listKeys') json(ctx, 200, paged(ctx, [...otherKeys(username), ...[...w.keys.values()].filter((k) => k.username === username)].map(keyJson)));
    else if (route === 'createKey') createKey(ctx, username);
    else deleteKey(ctx, username, Number(keyId));
    return true;
  };
}
