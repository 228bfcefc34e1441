// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * Fake Bitbucket Server OAuth 1.0a service provider (RFC 5849, RSA-SHA1 only), as
 * Atlassian's plugin behaves: https://developer.atlassian.com/server/jira/platform/oauth/
 * - POST /plugins/servlet/oauth/request-token (§2.1), GET /plugins/servlet/oauth/authorize (§2.2),
 *   POST /plugins/servlet/oauth/access-token (§2.3);
 * - every request's signature is verified against the public key pasted into the application link,
 *   with the fake's own base-string code (./oauth1-verify.ts), plus timestamp (±300 s) and nonce reuse;
 * - problems are answered 401 with `oauth_problem` in WWW-Authenticate and a form body
 *   (OAuth Problem Reporting), including the base string the server computed, as Atlassian does;
 * - "Deny" redirects with `oauth_verifier=denied`.
 */
import { randomBytes } from 'node:crypto';
import {
  approvePage, errorPage, PendingRequests, randomAlnum, redirect, safeEqual, sendForcedFailure, sendForm, sendHtml,
  takeForcedTokenStatus, withQuery, type Ctx,
} from '../common';
import { parseAuthorizationHeader, signatureBaseString, verifyRsaSha1, type Param } from './oauth1-verify';
import { ensureUser, now, type AccessToken, type BbsWorld, type RequestToken } from './state';

/** RFC 5849 §3.3 "timestamp … within a reasonable window": Atlassian allows 5 minutes either way. */
export const TIMESTAMP_WINDOW_SECONDS = 300;
const REQUEST_TOKEN_TTL_MS = 10 * 60_000;
/** Atlassian's default access-token lifetime: 5 years. */
const ACCESS_TOKEN_TTL_SECONDS = 157_680_000;

export const OAUTH_PATHS = {
  requestToken: '/plugins/servlet/oauth/request-token',
  authorize: '/plugins/servlet/oauth/authorize',
  decision: '/plugins/servlet/oauth/authorize/decision',
  accessToken: '/plugins/servlet/oauth/access-token',
};

export class OAuthProblem extends Error {
  constructor(
    readonly problem: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(problem);
  }
}

/** Problem Reporting: 401 (400 for malformed requests), WWW-Authenticate and a form body. */
export function sendProblem(ctx: Ctx, w: BbsWorld, p: OAuthProblem): void {
  const status = p.problem === 'parameter_absent' || p.problem === 'parameter_rejected' ? 400 : 401;
  const fields = { oauth_problem: p.problem, ...p.extra };
  const challenge = [`OAuth realm="${w.url}"`, ...Object.entries(fields).map(([k, v]) => `${k}="${encodeURIComponent(v)}"`)].join(', ');
  sendForm(ctx.res, status, fields, { 'www-authenticate': challenge });
}

interface Verified {
  consumerKey: string;
  params: Map<string, string>;
}

/** Checks one signed request (RFC 5849 §3.2) and returns its protocol parameters. Throws OAuthProblem. */
export function verifySigned(w: BbsWorld, ctx: Ctx): Verified {
  const header = parseAuthorizationHeader(ctx.headers.authorization);
  if (!header) throw new OAuthProblem('parameter_absent', { oauth_parameters_absent: 'oauth_consumer_key' });
  const params = new Map<string, string>();
  for (const [n, v] of header as Param[]) {
    if (n === 'realm') continue;
    if (params.has(n)) throw new OAuthProblem('parameter_rejected', { oauth_parameters_rejected: n }); // §3.1: each once
    params.set(n, v);
  }
  const missing = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'].filter((n) => !params.has(n));
  if (missing.length) throw new OAuthProblem('parameter_absent', { oauth_parameters_absent: missing.join('&') });
  if (params.has('oauth_version') && params.get('oauth_version') !== '1.0') throw new OAuthProblem('version_rejected', { oauth_acceptable_versions: '1.0-1.0' });
  if (params.get('oauth_signature_method') !== 'RSA-SHA1') throw new OAuthProblem('signature_method_rejected', { oauth_acceptable_signature_methods: 'RSA-SHA1' });
  const consumerKey = params.get('oauth_consumer_key')!;
  const consumer = w.consumers.get(consumerKey);
  if (!consumer) throw new OAuthProblem('consumer_key_unknown');

  // §3.3: timestamp window, then nonce unique per consumer and timestamp.
  const ts = Number(params.get('oauth_timestamp'));
  const nowS = Math.floor(now(w) / 1000);
  if (!/^\d+$/.test(params.get('oauth_timestamp')!) || Math.abs(nowS - ts) > TIMESTAMP_WINDOW_SECONDS) {
    throw new OAuthProblem('timestamp_refused', { oauth_acceptable_timestamps: `${nowS - TIMESTAMP_WINDOW_SECONDS}-${nowS + TIMESTAMP_WINDOW_SECONDS}` });
  }
  const nonceKey = `${consumerKey}|${ts}|${params.get('oauth_nonce')}`;
  for (const [k, until] of w.nonces) if (until < now(w)) w.nonces.delete(k);
  if (w.nonces.has(nonceKey)) throw new OAuthProblem('nonce_used');

  const url = new URL(ctx.req.url ?? '/', 'http://fake.invalid');
  const base = signatureBaseString({
    method: ctx.method,
    scheme: new URL(w.url).protocol.replace(':', ''),
    host: ctx.headers.host ?? '',
    path: url.pathname,
    rawQuery: url.search.slice(1),
    headerParams: header,
    contentType: ctx.headers['content-type'],
    body: ctx.rawBody,
  });
  if (!verifyRsaSha1(base, params.get('oauth_signature')!, consumer.publicKeyPem)) {
    throw new OAuthProblem('signature_invalid', { oauth_signature: params.get('oauth_signature')!, oauth_signature_base_string: base, oauth_signature_method: 'RSA-SHA1' });
  }
  // Remembered only once the signature is good, for twice the window, so a replay within it fails.
  w.nonces.set(nonceKey, now(w) + 2 * TIMESTAMP_WINDOW_SECONDS * 1000);
  return { consumerKey, params };
}

/** REST authentication: a signed request carrying a live access token of a known consumer. */
export function authenticateOAuth1(w: BbsWorld, ctx: Ctx): AccessToken {
  const v = verifySigned(w, ctx);
  const t = w.accessTokens.get(v.params.get('oauth_token') ?? '');
  if (!t || t.consumerKey !== v.consumerKey) throw new OAuthProblem('token_rejected');
  if (t.revoked) throw new OAuthProblem('token_revoked');
  return t;
}

export function createOAuthRoutes(w: BbsWorld) {
  const pending = new PendingRequests<string>();

  function handle(ctx: Ctx, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof OAuthProblem) return sendProblem(ctx, w, e);
      throw e;
    }
  }

  /** §2.1: temporary credentials; `oauth_callback` is required (1.0a) and confirmed. */
  const requestToken = (ctx: Ctx) =>
    handle(ctx, () => {
      const forced = takeForcedTokenStatus(w.behavior);
      if (forced !== null) return sendForcedFailure(ctx.res, forced);
      const v = verifySigned(w, ctx);
      const callback = v.params.get('oauth_callback');
      if (!callback) throw new OAuthProblem('parameter_absent', { oauth_parameters_absent: 'oauth_callback' });
      const t: RequestToken = {
        token: randomAlnum(32), secret: randomAlnum(32), consumerKey: v.consumerKey, callback,
        expiresAt: now(w) + REQUEST_TOKEN_TTL_MS, username: null, denied: false, verifier: null, used: false,
      };
      w.requestTokens.set(t.token, t);
      sendForm(ctx.res, 200, { oauth_token: t.token, oauth_token_secret: t.secret, oauth_callback_confirmed: 'true' });
    });

  function finish(ctx: Ctx, t: RequestToken, username: string | null): void {
    if (username === null) t.denied = true;
    else {
      ensureUser(w, username);
      t.username = username;
      t.verifier = randomAlnum(6); // Atlassian: a 6-character alphanumeric verifier
    }
    if (t.callback === 'oob') return sendHtml(ctx.res, 200, errorPage('Verification code', t.verifier ?? 'denied'));
    redirect(ctx.res, withQuery(t.callback, { oauth_token: t.token, oauth_verifier: t.verifier ?? 'denied' }));
  }

  /** §2.2: the user approves (page mode: the approve page; auto mode: at once as behavior.nextUser). */
  function authorize(ctx: Ctx): void {
    const t = w.requestTokens.get(ctx.query.get('oauth_token') ?? '');
    if (!t || t.used || t.username || t.denied || t.expiresAt <= now(w)) {
      return sendHtml(ctx.res, 400, errorPage('Invalid OAuth token', 'The request token is unknown, used or expired (token_rejected).'));
    }
    if (w.mode === 'auto') return finish(ctx, t, w.behavior.deny ? null : w.behavior.nextUser);
    const consumer = w.consumers.get(t.consumerKey);
    sendHtml(ctx.res, 200, approvePage({
      provider: 'Bitbucket Server', appName: consumer?.name ?? t.consumerKey, action: OAUTH_PATHS.decision,
      hidden: { request_id: pending.add(t.token) }, defaultUser: w.behavior.nextUser, scopes: [],
    }));
  }

  /** The sandbox page's form (fake-only). */
  function decision(ctx: Ctx): void {
    const t = w.requestTokens.get(pending.take(ctx.params.request_id) ?? '');
    if (!t || t.used || t.username || t.denied) return sendHtml(ctx.res, 400, errorPage('Expired', 'This authorization request is unknown or expired. Start again.'));
    const username = (ctx.params.username ?? '').trim();
    finish(ctx, t, ctx.params.decision === 'approve' && username ? username : null);
  }

  /** §2.3: request token + verifier → access token. The request token works once. */
  const accessToken = (ctx: Ctx) =>
    handle(ctx, () => {
      const forced = takeForcedTokenStatus(w.behavior);
      if (forced !== null) return sendForcedFailure(ctx.res, forced);
      const v = verifySigned(w, ctx);
      const t = w.requestTokens.get(v.params.get('oauth_token') ?? '');
      if (!t || t.consumerKey !== v.consumerKey) throw new OAuthProblem('token_rejected');
      if (t.used) throw new OAuthProblem('token_used');
      if (t.expiresAt <= now(w)) throw new OAuthProblem('token_expired');
      if (t.denied) throw new OAuthProblem('permission_denied');
      if (!t.username || !t.verifier) throw new OAuthProblem('permission_unknown');
      if (!safeEqual(v.params.get('oauth_verifier') ?? '', t.verifier)) throw new OAuthProblem('verifier_invalid');
      t.used = true;
      const a: AccessToken = { token: randomAlnum(32), secret: randomBytes(16).toString('hex'), consumerKey: t.consumerKey, username: t.username, revoked: false };
      w.accessTokens.set(a.token, a);
      sendForm(ctx.res, 200, {
        oauth_token: a.token, oauth_token_secret: a.secret, oauth_expires_in: ACCESS_TOKEN_TTL_SECONDS,
        oauth_session_handle: randomAlnum(32), oauth_authorization_expires_in: ACCESS_TOKEN_TTL_SECONDS,
      });
    });

  return { requestToken, authorize, decision, accessToken };
}
