// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake GitLab OAuth 2.0 provider (GitLab runs the doorkeeper gem).
 * Docs: https://docs.gitlab.com/api/oauth2/ — error bodies follow RFC 6749 §5.2 with doorkeeper's wording.
 */
import {
  approvePage, clientCredentials, errorPage, PendingRequests, pkceMatches, randomHex, redirect, safeEqual,
  sendForcedFailure, sendHtml, sendJson, takeForcedTokenStatus, withQuery, type Ctx,
} from '../common';
import { ensureUser, issueToken, tokenBody, type GitLabWorld } from './state';

interface AuthzRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

/** doorkeeper's en.yml descriptions for the RFC 6749 error codes. */
const DESC = {
  invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  invalid_grant: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  access_denied: 'The resource owner or authorization server denied the request.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  unsupported_response_type: 'The authorization server does not support this response type.',
  invalid_redirect_uri: 'The redirect uri included is not valid.',
  unauthorized_revoke: 'You are not authorized to revoke this token',
};

export function createOAuthRoutes(w: GitLabWorld) {
  const pending = new PendingRequests<AuthzRequest>();
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
  /** RFC 6749 §5.2: HTTP 400 (401 for invalid_client) with a JSON error body. */
  const oauthError = (ctx: Ctx, status: number, error: string, description: string) =>
    sendJson(ctx.res, status, { error, error_description: description }, status === 401
      ? { ...noStore, 'www-authenticate': `Bearer realm="Doorkeeper", error="${error}", error_description="${description}"` }
      : noStore);
  const missing = (ctx: Ctx, name: string) => oauthError(ctx, 400, 'invalid_request', `Missing required parameter: ${name}.`);

  function finish(ctx: Ctx, r: AuthzRequest, username: string | null): void {
    if (username === null) {
      // RFC 6749 §4.1.2.1
      return redirect(ctx.res, withQuery(r.redirectUri, { error: 'access_denied', error_description: DESC.access_denied, state: r.state }));
    }
    ensureUser(w, username);
    const code = randomHex(32);
    w.codes.set(code, {
      code, clientId: r.clientId, redirectUri: r.redirectUri, username, scopes: r.scopes,
      codeChallenge: r.codeChallenge, codeChallengeMethod: r.codeChallengeMethod,
      expiresAt: Date.now() + 10 * 60_000, // doorkeeper authorization_code_expires_in: 10 minutes
      used: false,
    });
    redirect(ctx.res, withQuery(r.redirectUri, { code, state: r.state }));
  }

  /** GET /oauth/authorize — https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce */
  function authorize(ctx: Ctx): void {
    const q = ctx.query;
    const clientId = q.get('client_id') ?? '';
    const page = (msg: string) => sendHtml(ctx.res, 400, errorPage('An error has occurred', msg));
    // Errors about the client or the redirect URI are shown, never redirected (RFC 6749 §4.1.2.1).
    if (!safeEqual(clientId, w.clientId)) return page(DESC.invalid_client);
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return page('Missing required parameter: redirect_uri.');
    if (w.redirectUris.length > 0 && !w.redirectUris.includes(redirectUri)) return page(DESC.invalid_redirect_uri);
    const state = q.get('state') ?? undefined;
    const back = (error: string, description: string) => redirect(ctx.res, withQuery(redirectUri, { error, error_description: description, state }));
    if (q.get('response_type') !== 'code') return back('unsupported_response_type', DESC.unsupported_response_type);
    const requested = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const scopes = requested.length ? requested : w.appScopes;
    if (scopes.some((s) => !w.appScopes.includes(s))) return back('invalid_scope', DESC.invalid_scope);
    const challenge = q.get('code_challenge');
    // RFC 7636 §4.3: the method defaults to plain; doorkeeper accepts plain and S256.
    const method = challenge ? q.get('code_challenge_method') ?? 'plain' : null;
    if (method !== null && method !== 'S256' && method !== 'plain') {
      return back('invalid_request', 'The code challenge method must be plain or S256.');
    }
    const r: AuthzRequest = { clientId, redirectUri, scopes, state, codeChallenge: challenge, codeChallengeMethod: method };
    if (w.mode === 'auto') return finish(ctx, r, w.behavior.deny ? null : w.behavior.nextUser);
    const id = pending.add(r);
    sendHtml(ctx.res, 200, approvePage({
      provider: 'GitLab', appName: `application ${clientId}`, action: '/oauth/authorize/decision',
      hidden: { request_id: id }, defaultUser: w.behavior.nextUser, scopes,
    }));
  }

  /** POST /oauth/authorize/decision — the sandbox page's form (fake-only; real GitLab POSTs/DELETEs /oauth/authorize). */
  function decision(ctx: Ctx): void {
    const r = pending.take(ctx.params.request_id);
    if (!r) return sendHtml(ctx.res, 400, errorPage('Expired', 'This authorization request is unknown or expired. Start again.'));
    const username = (ctx.params.username ?? '').trim();
    finish(ctx, r, ctx.params.decision === 'approve' && username ? username : null);
  }

  function authenticateClient(ctx: Ctx): string | null {
    const { clientId, clientSecret } = clientCredentials(ctx);
    if (!clientId || !clientSecret || !safeEqual(clientId, w.clientId) || !safeEqual(clientSecret, w.clientSecret)) {
      oauthError(ctx, 401, 'invalid_client', DESC.invalid_client);
      return null;
    }
    return clientId;
  }

  /** POST /oauth/token — https://docs.gitlab.com/api/oauth2/ (form or JSON body; client creds in body or Basic). */
  function token(ctx: Ctx): void {
    const forced = takeForcedTokenStatus(w.behavior);
    if (forced !== null) return sendForcedFailure(ctx.res, forced);
    const p = ctx.params;
    if (p.grant_type === 'refresh_token') w.behavior.refreshCalls += 1;
    const clientId = authenticateClient(ctx);
    if (!clientId) return;
    if (p.grant_type === 'authorization_code') {
      if (!p.code) return missing(ctx, 'code');
      if (!p.redirect_uri) return missing(ctx, 'redirect_uri');
      const code = w.codes.get(p.code);
      if (!code || code.used || code.expiresAt <= Date.now() || code.clientId !== clientId || code.redirectUri !== p.redirect_uri) {
        return oauthError(ctx, 400, 'invalid_grant', DESC.invalid_grant);
      }
      // RFC 7636 §4.6; a PKCE-bound code exchanged without a verifier is invalid_grant too (doorkeeper).
      if (code.codeChallenge !== null && !pkceMatches(code.codeChallengeMethod ?? 'plain', code.codeChallenge, p.code_verifier)) {
        return oauthError(ctx, 400, 'invalid_grant', DESC.invalid_grant);
      }
      code.used = true; // doorkeeper revokes the grant when it issues the token
      const t = issueToken(w, clientId, code.username, code.scopes, code.redirectUri);
      return sendJson(ctx.res, 200, tokenBody(t), noStore);
    }
    if (p.grant_type === 'refresh_token') {
      // "To retrieve a new access_token, use the refresh_token parameter ... This request: Invalidates the
      // existing access_token and refresh_token. Sends new tokens in the response." The docs send redirect_uri.
      if (!p.refresh_token) return missing(ctx, 'refresh_token');
      if (!p.redirect_uri) return missing(ctx, 'redirect_uri');
      const old = w.byRefresh.get(p.refresh_token);
      if (!old || old.revoked !== null || old.clientId !== clientId || old.redirectUri !== p.redirect_uri) {
        return oauthError(ctx, 400, 'invalid_grant', DESC.invalid_grant);
      }
      old.revoked = 'refreshed';
      const t = issueToken(w, clientId, old.username, old.scopes, old.redirectUri);
      return sendJson(ctx.res, 200, tokenBody(t), noStore);
    }
    if (!p.grant_type) return missing(ctx, 'grant_type');
    oauthError(ctx, 400, 'unsupported_grant_type', DESC.unsupported_grant_type);
  }

  /**
   * POST /oauth/revoke — https://docs.gitlab.com/api/oauth2/#revoke-a-token (RFC 7009).
   * Revoking either token of a pair kills both; an unknown token still answers 200 {} (RFC 7009 §2.2).
   */
  function revoke(ctx: Ctx): void {
    const clientId = authenticateClient(ctx);
    if (!clientId) return;
    const value = ctx.params.token;
    if (!value) return missing(ctx, 'token');
    const t = w.tokens.get(value) ?? w.byRefresh.get(value);
    if (t && t.clientId !== clientId) return oauthError(ctx, 403, 'unauthorized_client', DESC.unauthorized_revoke);
    if (t && t.revoked === null) t.revoked = 'revoked';
    sendJson(ctx.res, 200, {});
  }

  return { authorize, decision, token, revoke };
}
