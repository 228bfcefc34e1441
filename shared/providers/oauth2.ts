/**
 * OAuth 2.0 authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636),
 * shared by every OAuth 2.0 provider. Provider files pass their endpoints and
 * name their deviations; this file follows the RFCs.
 */
import * as z from '../zod';
import { apiFailure, isTransientStatus, ProviderError, providerFetch, retryAfter, type ProviderResponse } from './http';
import type { ProviderContext, TokenSet } from './types';

export interface OAuth2Settings {
  authorizeUrl: string;
  tokenUrl: string;
  /** RFC 6749 §2.3.1: `basic` (HTTP Basic, the RFC's MUST-support) or `body` (client_id/secret in the form). */
  clientAuth: 'basic' | 'body';
  /** RFC 6749 §6 does not ask for redirect_uri on refresh; GitLab and Bitbucket DC do. */
  refreshNeedsRedirectUri: boolean;
}

/** RFC 6749 §4.1.1 (+ RFC 7636 §4.3 `code_challenge`). */
export function buildAuthorizeUrl(
  s: OAuth2Settings,
  ctx: ProviderContext,
  p: { state: string; codeChallenge?: string },
): string {
  const url = new URL(s.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', ctx.config.clientId);
  url.searchParams.set('redirect_uri', ctx.callbackUrl);
  if (ctx.config.scopes.length) url.searchParams.set('scope', ctx.config.scopes.join(' '));
  url.searchParams.set('state', p.state);
  if (p.codeChallenge) {
    url.searchParams.set('code_challenge', p.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

/** RFC 6749 §4.1.3: code → tokens. */
export async function exchangeCode(
  s: OAuth2Settings,
  ctx: ProviderContext,
  p: { code: string; codeVerifier?: string },
): Promise<TokenSet> {
  return tokenRequest(s, ctx, {
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: ctx.callbackUrl,
    ...(p.codeVerifier ? { code_verifier: p.codeVerifier } : {}),
  });
}

/** RFC 6749 §6: refresh. An answer without a refresh_token keeps the old one (Nango #298). */
export async function refreshTokens(s: OAuth2Settings, ctx: ProviderContext, refreshToken: string): Promise<TokenSet> {
  const fresh = await tokenRequest(s, ctx, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...(s.refreshNeedsRedirectUri ? { redirect_uri: ctx.callbackUrl } : {}),
  });
  return { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
}

async function tokenRequest(s: OAuth2Settings, ctx: ProviderContext, params: Record<string, string>): Promise<TokenSet> {
  const secret = await ctx.clientSecret();
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (s.clientAuth === 'basic') {
    // RFC 6749 §2.3.1: each part is form-urlencoded before Basic encoding.
    const user = encodeURIComponent(ctx.config.clientId);
    const pass = encodeURIComponent(secret);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  } else {
    form.set('client_id', ctx.config.clientId);
    form.set('client_secret', secret);
  }
  const res = await providerFetch(s.tokenUrl, { method: 'POST', headers, body: form.toString(), timeoutMs: ctx.timeoutMs, allowLoopback: ctx.allowLoopback });
  return parseTokenAnswer(res);
}

const tokenAnswer = z.object({
  access_token: z.string().check(z.minLength(1), z.maxLength(8192)),
  token_type: z.optional(z.string()),
  expires_in: z.optional(z.coerce.number().check(z.int(), z.positive())),
  refresh_token: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
  scope: z.optional(z.string().check(z.maxLength(4096))),
});

/**
 * Reads a token endpoint answer. RFC 6749 §5.1 says JSON; some providers answer
 * form-encoded, and some report errors with HTTP 200 (GitHub), so the body is
 * read by its content and an `error` field is an error whatever the status.
 */
export function parseTokenAnswer(res: ProviderResponse, now = Date.now()): TokenSet {
  const fields = answerFields(res);
  if (typeof fields.error === 'string' && fields.error) {
    // RFC 6749 §5.2
    throw new ProviderError('refused', 'oauth_error', 'The provider refused the grant.', {
      providerStatus: res.status,
      oauthError: fields.error,
      detail: `token endpoint: ${fields.error}${typeof fields.error_description === 'string' ? `: ${fields.error_description}` : ''}`,
    });
  }
  if (res.status !== 200) {
    const transient = isTransientStatus(res.status);
    throw new ProviderError(transient ? 'transient' : 'refused', transient ? 'provider_unavailable' : 'oauth_error', 'The provider token endpoint failed.', {
      providerStatus: res.status,
      detail: `token endpoint: HTTP ${res.status}`,
      ...(transient ? retryAfter(res) : {}),
    });
  }
  const parsed = tokenAnswer.safeParse(fields);
  if (!parsed.success) {
    throw new ProviderError('refused', 'oauth_error', 'The provider answered the token request without a usable token.', {
      detail: `token endpoint answer invalid: ${parsed.error.issues[0]?.path.join('.')}`,
    });
  }
  const t = parsed.data;
  if (t.token_type && t.token_type.toLowerCase() !== 'bearer') {
    throw new ProviderError('refused', 'oauth_error', 'The provider issued an unsupported token type.', { detail: `token_type ${t.token_type}` });
  }
  return {
    accessToken: t.access_token,
    ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
    ...(t.expires_in ? { expiresAt: now + t.expires_in * 1000 } : {}),
    ...(t.scope !== undefined ? { scopes: t.scope.split(/[\s,]+/).filter(Boolean) } : {}),
  };
}

function answerFields(res: ProviderResponse): Record<string, unknown> {
  if (res.json && typeof res.json === 'object' && !Array.isArray(res.json)) return res.json as Record<string, unknown>;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded') || /^[\w.~%+-]+=[^<>\s]*(&[\w.~%+-]+=[^<>\s]*)*$/.test(res.text.trim())) {
    return Object.fromEntries(new URLSearchParams(res.text.trim()));
  }
  return {};
}

/** RFC 7009 token revocation, client authenticated in the body. */
export async function revokeToken(url: string, ctx: ProviderContext, token: string): Promise<void> {
  const form = new URLSearchParams({ token, client_id: ctx.config.clientId, client_secret: await ctx.clientSecret() });
  const res = await providerFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    timeoutMs: ctx.timeoutMs,
    allowLoopback: ctx.allowLoopback,
  });
  // RFC 7009 §2.2: 200 also for tokens that are already invalid.
  if (res.status !== 200) throw apiFailure('revoke the token', res);
}

/** Builds the OAuth 2.0 half of a Provider from its settings. */
export function oauth2Protocol(settings: (ctx: ProviderContext) => OAuth2Settings) {
  return {
    protocol: 'oauth2' as const,
    async startAuthorization(ctx: ProviderContext, p: { state: string; codeChallenge?: string }) {
      return { authorizeUrl: buildAuthorizeUrl(settings(ctx), ctx, p), secrets: {}, correlation: p.state };
    },
    async finishAuthorization(ctx: ProviderContext, p: { query: Record<string, string>; secrets: Record<string, string> }) {
      const code = p.query.code;
      if (!code) throw new ProviderError('refused', 'invalid_callback', 'The provider sent no authorization code.');
      return exchangeCode(settings(ctx), ctx, { code, ...(p.secrets.codeVerifier ? { codeVerifier: p.secrets.codeVerifier } : {}) });
    },
    refresh(ctx: ProviderContext, refreshToken: string) {
      return refreshTokens(settings(ctx), ctx, refreshToken);
    },
  };
}
