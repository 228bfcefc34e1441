// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake bitbucket.org OAuth 2.0 (https://developer.atlassian.com/cloud/bitbucket/oauth-2/):
 * - GET /site/oauth2/authorize: grants the consumer's permissions (not the `scope` asked for);
 *   a redirect_uri, when sent, must start with the consumer's Callback URL;
 * - POST /site/oauth2/access_token: the client authenticates with HTTP Basic (`curl -u client_id:secret`);
 *   the answer lists `scopes` (plural) and `expires_in: 7200`; refresh keeps the refresh token.
 */
import {
  approvePage, errorPage, parseBasicAuth, PendingRequests, randomAlnum, redirect, safeEqual, sendForcedFailure, sendHtml,
  sendJson, takeForcedTokenStatus, withQuery, type Ctx,
} from '../common';
import { ensureCloudUser, type CloudToken, type CloudWorld } from './state';

export const CLOUD_PATHS = { authorize: '/site/oauth2/authorize', decision: '/site/oauth2/authorize/decision', token: '/site/oauth2/access_token' };

export function createCloudOAuthRoutes(w: CloudWorld) {
  const pending = new PendingRequests<{ redirectUri: string | undefined; state: string | undefined }>();
  const err = (ctx: Ctx, status: number, error: string, description: string) => sendJson(ctx.res, status, { error_description: description, error });

  const target = (r: { redirectUri: string | undefined }) => r.redirectUri ?? w.callbackUrl ?? '';

  function finish(ctx: Ctx, r: { redirectUri: string | undefined; state: string | undefined }, nickname: string | null): void {
    if (nickname === null) return redirect(ctx.res, withQuery(target(r), { error: 'access_denied', error_description: 'The user denied access.', state: r.state }));
    const u = ensureCloudUser(w, nickname);
    const code = randomAlnum(18);
    w.codes.set(code, { owner: u.uuid, redirectUri: r.redirectUri, used: false, expiresAt: Date.now() + 5 * 60_000 });
    redirect(ctx.res, withQuery(target(r), { code, state: r.state }));
  }

  function authorize(ctx: Ctx): void {
    const q = ctx.query;
    if (!safeEqual(q.get('client_id') ?? '', w.clientId)) return sendHtml(ctx.res, 400, errorPage('Invalid client_id', 'No consumer with that key.'));
    const redirectUri = q.get('redirect_uri') ?? undefined;
    if (redirectUri && w.callbackUrl && !redirectUri.startsWith(w.callbackUrl)) {
      return sendHtml(ctx.res, 400, errorPage('Invalid redirect_uri', 'The redirect_uri does not match the consumer callback URL.'));
    }
    if (!redirectUri && !w.callbackUrl) return sendHtml(ctx.res, 400, errorPage('Invalid consumer', 'The consumer has no callback URL.'));
    const r = { redirectUri, state: q.get('state') ?? undefined };
    if (q.get('response_type') !== 'code') return redirect(ctx.res, withQuery(target(r), { error: 'unsupported_response_type', state: r.state }));
    if (w.mode === 'auto') return finish(ctx, r, w.behavior.deny ? null : w.behavior.nextUser);
    sendHtml(ctx.res, 200, approvePage({
      provider: 'Bitbucket Cloud', appName: 'gitlink', action: CLOUD_PATHS.decision, hidden: { request_id: pending.add(r) },
      defaultUser: w.behavior.nextUser, scopes: w.consumerScopes,
    }));
  }

  function decision(ctx: Ctx): void {
    const r = pending.take(ctx.params.request_id);
    if (!r) return sendHtml(ctx.res, 400, errorPage('Expired', 'Start again.'));
    const nickname = (ctx.params.username ?? '').trim();
    finish(ctx, r, ctx.params.decision === 'approve' && nickname ? nickname : null);
  }

  function issue(owner: string, refreshToken = randomAlnum(24)): CloudToken {
    const t: CloudToken = { accessToken: randomAlnum(64), refreshToken, owner, scopes: w.consumerScopes, expiresAt: Date.now() + w.behavior.accessTokenTtlSeconds * 1000, revoked: false };
    w.tokens.set(t.accessToken, t);
    w.byRefresh.set(t.refreshToken, t);
    return t;
  }
  const body = (t: CloudToken) => ({
    access_token: t.accessToken, scopes: t.scopes.join(' '), expires_in: w.behavior.accessTokenTtlSeconds,
    refresh_token: t.refreshToken, token_type: 'bearer', state: 'authorization_code',
  });

  function token(ctx: Ctx): void {
    const forced = takeForcedTokenStatus(w.behavior);
    if (forced !== null) return sendForcedFailure(ctx.res, forced);
    const p = ctx.params;
    if (p.grant_type === 'refresh_token') w.behavior.refreshCalls += 1;
    // The documented client authentication is HTTP Basic; this fake takes nothing else, so using it is proven.
    const basic = parseBasicAuth(ctx.headers.authorization);
    if (!basic || !safeEqual(basic.user, w.clientId) || !safeEqual(basic.pass, w.clientSecret)) {
      return err(ctx, 401, 'invalid_client', 'Client credentials missing; this request needs to be authenticated with the OAuth client id and secret');
    }
    if (p.grant_type === 'authorization_code') {
      const c = w.codes.get(p.code ?? '');
      if (!c || c.used || c.expiresAt <= Date.now()) return err(ctx, 400, 'invalid_grant', 'The specified code is not valid.');
      if (c.redirectUri !== undefined && c.redirectUri !== p.redirect_uri) return err(ctx, 400, 'invalid_grant', 'The redirect_uri does not match.');
      c.used = true;
      return sendJson(ctx.res, 200, body(issue(c.owner)));
    }
    if (p.grant_type === 'refresh_token') {
      const old = w.byRefresh.get(p.refresh_token ?? '');
      if (!old || old.revoked) return err(ctx, 400, 'invalid_grant', 'Invalid refresh_token');
      old.revoked = true; // the old access token ends; the refresh token is kept
      return sendJson(ctx.res, 200, body(issue(old.owner, old.refreshToken)));
    }
    err(ctx, 400, 'unsupported_grant_type', `Unsupported grant type: ${p.grant_type ?? 'None'}`);
  }

  return { authorize, decision, token };
}
