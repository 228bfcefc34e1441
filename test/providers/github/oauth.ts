// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake GitHub OAuth web flow.
 * Docs: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 */
import {
  approvePage, clientCredentials, errorPage, PendingRequests, pkceMatches, randomHex, redirect, safeEqual,
  sendForcedFailure, sendForm, sendHtml, sendJson, takeForcedTokenStatus, withQuery, type Ctx,
} from '../common';
import { ensureUser, issueTokens, liveToken, type GitHubWorld } from './state';

interface AuthzRequest {
  clientId: string;
  /** Where to send the browser back. */
  redirectUri: string;
  /** The redirect_uri the client sent, if any (binds the code). */
  redirectUriSent: string | null;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | null;
}

const TROUBLESHOOT_AUTHZ = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/';
const TROUBLESHOOT_TOKEN = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/';

export function createOAuthRoutes(w: GitHubWorld) {
  const pending = new PendingRequests<AuthzRequest>();

  /** Sends the browser back to the client with a code, or with access_denied. */
  function finish(ctx: Ctx, r: AuthzRequest, login: string | null): void {
    if (login === null) {
      // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors#access-denied
      return redirect(ctx.res, withQuery(r.redirectUri, {
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri: `${TROUBLESHOOT_AUTHZ}#access-denied`,
        state: r.state,
      }));
    }
    ensureUser(w, login);
    const code = randomHex(10); // GitHub codes are 20 hex characters
    w.codes.set(code, {
      code, clientId: r.clientId, redirectUri: r.redirectUriSent, login, scopes: r.scopes,
      codeChallenge: r.codeChallenge,
      expiresAt: Date.now() + 10 * 60_000, // "The code will expire after 10 minutes."
      used: false,
    });
    redirect(ctx.res, withQuery(r.redirectUri, { code, state: r.state }));
  }

  /** GET /login/oauth/authorize — authorizing-oauth-apps#1-request-a-users-github-identity */
  function authorize(ctx: Ctx): void {
    const q = ctx.query;
    const clientId = q.get('client_id') ?? '';
    if (!safeEqual(clientId, w.clientId)) {
      // Unknown client_id: GitHub shows its own 404 page and never redirects.
      return sendHtml(ctx.res, 404, errorPage('Not Found', 'No OAuth app with this client_id.'));
    }
    const sent = q.get('redirect_uri');
    const target = sent ?? w.callbackUrl;
    if (!target) return sendHtml(ctx.res, 400, errorPage('Bad request', 'redirect_uri is required by this fake (no callback URL registered).'));
    const state = q.get('state') ?? undefined;
    if (sent && w.callbackUrl && !redirectAllowed(sent, w.callbackUrl)) {
      // troubleshooting-authorization-request-errors#redirect-uri-mismatch: back to the *registered* callback.
      return redirect(ctx.res, withQuery(w.callbackUrl, {
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${TROUBLESHOOT_AUTHZ}#redirect-uri-mismatch`,
        state,
      }));
    }
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method');
    if (challenge && method !== 'S256') {
      // "Only the S256 code challenge method is accepted." (github.blog changelog 2025-07-14, PKCE support).
      // The exact error GitHub answers is undocumented; RFC 7636 §4.4.1 says invalid_request.
      return redirect(ctx.res, withQuery(target, {
        error: 'invalid_request', error_description: 'code_challenge_method must be S256.', state,
      }));
    }
    const r: AuthzRequest = {
      clientId, redirectUri: target, redirectUriSent: sent, state, codeChallenge: challenge,
      // The docs say space-delimited; GitHub also takes commas.
      scopes: (q.get('scope') ?? '').split(/[\s,]+/).filter(Boolean),
    };
    if (w.mode === 'auto') return finish(ctx, r, w.behavior.deny ? null : w.behavior.nextUser);
    const id = pending.add(r);
    sendHtml(ctx.res, 200, approvePage({
      provider: 'GitHub', appName: `OAuth app ${clientId}`, action: '/login/oauth/authorize/decision',
      hidden: { request_id: id }, defaultUser: w.behavior.nextUser, scopes: r.scopes,
    }));
  }

  /** POST /login/oauth/authorize/decision — the sandbox page's form (fake-only endpoint). */
  function decision(ctx: Ctx): void {
    const r = pending.take(ctx.params.request_id);
    if (!r) return sendHtml(ctx.res, 400, errorPage('Expired', 'This authorization request is unknown or expired. Start again.'));
    const login = (ctx.params.username ?? '').trim();
    if (ctx.params.decision !== 'approve' || !login) return finish(ctx, r, null);
    finish(ctx, r, login);
  }

  /** POST /login/oauth/access_token — authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github */
  function accessToken(ctx: Ctx): void {
    const forced = takeForcedTokenStatus(w.behavior);
    if (forced !== null) return sendForcedFailure(ctx.res, forced);
    // Provider deviation: the answer is application/x-www-form-urlencoded unless the client sends
    // Accept: application/json, and errors come back with HTTP 200 (troubleshooting-oauth-app-access-token-request-errors).
    const asJson = (ctx.headers.accept ?? '').includes('application/json');
    const reply = (body: Record<string, string | number>) =>
      asJson ? sendJson(ctx.res, 200, body, { 'cache-control': 'no-store' }) : sendForm(ctx.res, 200, body, { 'cache-control': 'no-store' });
    const fail = (error: string, description: string, uri: string) => reply({ error, error_description: description, error_uri: uri });

    const { clientId, clientSecret } = clientCredentials(ctx);
    if (!clientId || !clientSecret || !safeEqual(clientId, w.clientId) || !safeEqual(clientSecret, w.clientSecret)) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', `${TROUBLESHOOT_TOKEN}#incorrect-client-credentials`);
    }
    const grantType = ctx.params.grant_type ?? 'authorization_code';
    if (grantType === 'refresh_token') {
      // https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
      w.behavior.refreshCalls += 1;
      const old = liveToken(w, ctx.params.refresh_token ?? null, 'refresh');
      if (!w.tokenExpiry || !old || old.clientId !== clientId) {
        // Quirk seen in real answers: bad_refresh_token points at the #bad-verification-code anchor.
        return fail('bad_refresh_token', 'The refresh token passed is incorrect or expired.', `${TROUBLESHOOT_TOKEN}#bad-verification-code`);
      }
      // "Once you use a refresh token, that refresh token and the old user access token will no longer work."
      old.revoked = true;
      if (old.pair) { const a = w.tokens.get(old.pair); if (a) a.revoked = true; }
      return reply(tokenBody(issueTokens(w, clientId, old.login, w.grants.get(old.grantId)?.scopes ?? [])));
    }
    if (grantType !== 'authorization_code') return fail('unsupported_grant_type', 'The grant_type is not supported.', TROUBLESHOOT_TOKEN);
    const code = w.codes.get(ctx.params.code ?? '');
    const badCode = () => fail('bad_verification_code', 'The code passed is incorrect or expired.', `${TROUBLESHOOT_TOKEN}#bad-verification-code`);
    if (!code || code.used || code.expiresAt <= Date.now() || code.clientId !== clientId) return badCode();
    code.used = true; // single use, whatever happens next
    if (code.redirectUri !== null && ctx.params.redirect_uri !== code.redirectUri) {
      return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.',
        `${TROUBLESHOOT_AUTHZ}#redirect-uri-mismatch2`);
    }
    // PKCE (RFC 7636 §4.6). GitHub does not document its PKCE failure answer; the fake uses bad_verification_code.
    if (code.codeChallenge !== null && !pkceMatches('S256', code.codeChallenge, ctx.params.code_verifier)) return badCode();
    reply(tokenBody(issueTokens(w, clientId, code.login, code.scopes)));
  }

  function tokenBody(t: ReturnType<typeof issueTokens>): Record<string, string | number> {
    if (!t.refresh) return { access_token: t.access.value, scope: t.access.scopes.join(','), token_type: 'bearer' };
    // GitHub App user tokens: "scope ... will always be an empty string".
    return {
      access_token: t.access.value,
      expires_in: w.behavior.accessTokenTtlSeconds,
      refresh_token: t.refresh.value,
      refresh_token_expires_in: Math.round(((t.refresh.expiresAt ?? 0) - Date.now()) / 1000),
      scope: '',
      token_type: 'bearer',
    };
  }

  return { authorize, decision, accessToken };
}

/**
 * authorizing-oauth-apps#redirect-urls: host (excluding sub-domains) and port must match the
 * callback URL exactly, and the path must be the callback path or a subdirectory of it.
 */
function redirectAllowed(redirectUri: string, callbackUrl: string): boolean {
  try {
    const r = new URL(redirectUri);
    const c = new URL(callbackUrl);
    const base = c.pathname.endsWith('/') ? c.pathname : `${c.pathname}/`;
    return r.protocol === c.protocol && r.host === c.host && (r.pathname === c.pathname || r.pathname.startsWith(base));
  } catch {
    return false;
  }
}
