// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake Bitbucket Data Center OAuth 2.0 provider (incoming application link):
 * https://confluence.atlassian.com/bitbucketserver/bitbucket-oauth-2-0-provider-api-1108483661.html
 * - GET /rest/oauth2/latest/authorize: code + PKCE (S256 or plain), the state echoed back;
 * - POST /rest/oauth2/latest/token: client_id/client_secret as parameters (the docs put them in the
 *   query; a form body works the same), `redirect_uri` required for both grants;
 * - access tokens 1 h, refresh tokens 90 days; a refresh retires the old pair.
 */
import {
  approvePage, errorPage, PendingRequests, pkceMatches, randomAlnum, redirect, safeEqual, sendForcedFailure, sendHtml,
  sendJson, takeForcedTokenStatus, withQuery, type Behavior, type Ctx,
} from '../common';
import { ensureUser, type BbsWorld } from '../bitbucket-server/state';

export const DC_PATHS = { authorize: '/rest/oauth2/latest/authorize', decision: '/rest/oauth2/latest/authorize/decision', token: '/rest/oauth2/latest/token' };
/** The scope strings of the provider API page; the UI shows them as "Repositories: Write" etc. */
export const DC_SCOPES = ['PUBLIC_REPOS', 'REPO_READ', 'REPO_WRITE', 'REPO_ADMIN', 'PROJECT_ADMIN', 'ACCOUNT_WRITE', 'ADMIN_WRITE', 'SYSTEM_ADMIN'];
const REFRESH_TTL_MS = 90 * 24 * 3600_000;

export interface DcToken {
  accessToken: string;
  refreshToken: string;
  username: string;
  scopes: string[];
  redirectUri: string;
  expiresAt: number;
  refreshExpiresAt: number;
  revoked: boolean;
}

interface AuthzRequest {
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  challenge: string | null;
  method: string | null;
}

export interface DcOAuthState {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  codes: Map<string, AuthzRequest & { username: string; used: boolean; expiresAt: number }>;
  tokens: Map<string, DcToken>;
  byRefresh: Map<string, DcToken>;
}

export function createDcOAuthRoutes(w: BbsWorld, o: DcOAuthState, behavior: Behavior) {
  const pending = new PendingRequests<AuthzRequest>();
  const err = (ctx: Ctx, status: number, error: string, description: string) =>
    sendJson(ctx.res, status, { error, error_description: description }, { 'cache-control': 'no-store' });

  function issue(username: string, scopes: string[], redirectUri: string): DcToken {
    const t: DcToken = {
      accessToken: randomAlnum(44), refreshToken: randomAlnum(44), username, scopes, redirectUri,
      expiresAt: Date.now() + behavior.accessTokenTtlSeconds * 1000, refreshExpiresAt: Date.now() + REFRESH_TTL_MS, revoked: false,
    };
    o.tokens.set(t.accessToken, t);
    o.byRefresh.set(t.refreshToken, t);
    return t;
  }
  const tokenBody = (t: DcToken) => ({
    scope: t.scopes.join(' '), access_token: t.accessToken, refresh_token: t.refreshToken, token_type: 'bearer',
    expires_in: Math.max(0, Math.round((t.expiresAt - Date.now()) / 1000)),
  });

  function finish(ctx: Ctx, r: AuthzRequest, username: string | null): void {
    if (username === null) return redirect(ctx.res, withQuery(r.redirectUri, { error: 'access_denied', state: r.state }));
    ensureUser(w, username);
    const code = randomAlnum(32);
    o.codes.set(code, { ...r, username, used: false, expiresAt: Date.now() + 10 * 60_000 });
    redirect(ctx.res, withQuery(r.redirectUri, { code, state: r.state }));
  }

  function authorize(ctx: Ctx): void {
    const q = ctx.query;
    const page = (msg: string) => sendHtml(ctx.res, 400, errorPage('Invalid OAuth request', msg));
    if (!safeEqual(q.get('client_id') ?? '', o.clientId)) return page('Unknown client_id.');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!redirectUri || (o.redirectUris.length && !o.redirectUris.includes(redirectUri))) return page('The redirect_uri does not match the application link.');
    const state = q.get('state') ?? undefined;
    if (q.get('response_type') !== 'code') return redirect(ctx.res, withQuery(redirectUri, { error: 'unsupported_response_type', state }));
    const scopes = (q.get('scope') ?? 'PUBLIC_REPOS').split(/\s+/).filter(Boolean);
    if (scopes.some((s) => !DC_SCOPES.includes(s))) return redirect(ctx.res, withQuery(redirectUri, { error: 'invalid_scope', state }));
    const challenge = q.get('code_challenge');
    const method = challenge ? q.get('code_challenge_method') ?? 'plain' : null;
    const r: AuthzRequest = { redirectUri, state, scopes, challenge, method };
    if (w.mode === 'auto') return finish(ctx, r, behavior.deny ? null : behavior.nextUser);
    sendHtml(ctx.res, 200, approvePage({
      provider: 'Bitbucket Data Center', appName: 'gitlink', action: DC_PATHS.decision, hidden: { request_id: pending.add(r) },
      defaultUser: behavior.nextUser, scopes,
    }));
  }

  function decision(ctx: Ctx): void {
    const r = pending.take(ctx.params.request_id);
    if (!r) return sendHtml(ctx.res, 400, errorPage('Expired', 'Start again.'));
    const username = (ctx.params.username ?? '').trim();
    finish(ctx, r, ctx.params.decision === 'approve' && username ? username : null);
  }

  function token(ctx: Ctx): void {
    const forced = takeForcedTokenStatus(behavior);
    if (forced !== null) return sendForcedFailure(ctx.res, forced);
    // Parameters may come in the query (as the docs show) or in the form body.
    const p: Record<string, string> = { ...Object.fromEntries(ctx.query), ...ctx.params };
    if (p.grant_type === 'refresh_token') behavior.refreshCalls += 1;
    if (!safeEqual(p.client_id ?? '', o.clientId) || !safeEqual(p.client_secret ?? '', o.clientSecret)) {
      return err(ctx, 401, 'invalid_client', 'Client authentication failed.');
    }
    if (!p.redirect_uri) return err(ctx, 400, 'invalid_request', 'Missing parameter: redirect_uri');
    if (p.grant_type === 'authorization_code') {
      const c = o.codes.get(p.code ?? '');
      if (!c || c.used || c.expiresAt <= Date.now() || c.redirectUri !== p.redirect_uri) return err(ctx, 400, 'invalid_grant', 'Authorization code is invalid or expired.');
      if (c.challenge !== null && !pkceMatches(c.method ?? 'plain', c.challenge, p.code_verifier)) return err(ctx, 400, 'invalid_grant', 'PKCE verification failed.');
      c.used = true;
      return sendJson(ctx.res, 200, tokenBody(issue(c.username, c.scopes, c.redirectUri)), { 'cache-control': 'no-store' });
    }
    if (p.grant_type === 'refresh_token') {
      const old = o.byRefresh.get(p.refresh_token ?? '');
      if (!old || old.revoked || old.refreshExpiresAt <= Date.now() || old.redirectUri !== p.redirect_uri) return err(ctx, 400, 'invalid_grant', 'Refresh token is invalid or expired.');
      old.revoked = true;
      return sendJson(ctx.res, 200, tokenBody(issue(old.username, old.scopes, old.redirectUri)), { 'cache-control': 'no-store' });
    }
    err(ctx, 400, 'unsupported_grant_type', `Unsupported grant type: ${p.grant_type ?? ''}`);
  }

  /** REST Bearer authentication; 401 with Bitbucket's error shape. */
  function authenticate(ctx: Ctx): string | null {
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? '');
    const t = m ? o.tokens.get(m[1]!) : undefined;
    if (!t || t.revoked || t.expiresAt <= Date.now()) {
      sendJson(ctx.res, 401, { errors: [{ context: null, message: 'Authentication failed. Please check your credentials and try again.', exceptionName: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException' }] });
      return null;
    }
    return t.username;
  }

  return { authorize, decision, token, authenticate };
}
