/**
 * OAuth 1.0a (RFC 5849), the one implementation, RSA-SHA1 only: the request
 * token / authorize / access token dance (§2) and signed requests (§3). Used by
 * Bitbucket Server application links, whose quirks stay in bitbucket-server.ts.
 *
 * Signing goes through the `oauth-1.0a` package (base string, header) with a
 * node:crypto RSA-SHA1 hash function. Three things the package leaves to us:
 * - only an `application/x-www-form-urlencoded` body enters the base string
 *   (RFC 5849 §3.4.1.3.1). Callers pass `form` for such bodies and nothing for
 *   JSON: a JSON body signed as parameters is a signature the server rejects;
 * - a parameter that appears in both the query and the form body is kept twice
 *   (§3.4.1.3.1): the package merges them by name, so we hand it one list with
 *   arrays for repeated names and a base URI without its query;
 * - the base string URI is normalized (§3.4.1.2: lowercase scheme and host,
 *   default port dropped), which the package does not do.
 * Its nonce comes from Math.random, so we make our own (§3.3) and build the
 * protocol parameters ourselves (the package's `authorize` also mutates its inputs).
 */
import { createSign, randomBytes } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { isTransientStatus, ProviderError, providerFetch, retryAfter, type ProviderResponse } from './http';
import type { Authorize } from './rest';
import type { AuthorizationStart, ProviderContext, SigningKeyRef, TokenSet } from './types';

export interface OAuth1Settings {
  requestTokenUrl: string;
  authorizeUrl: string;
  accessTokenUrl: string;
  /** Provider deviation: a verifier value that means "the user refused" (Atlassian sends `denied`). */
  deniedVerifier?: string;
}

/** A request to sign. `form`: the parameters of an `application/x-www-form-urlencoded` body, and only those. */
export interface SignedRequest {
  method: string;
  url: string;
  form?: Record<string, string>;
}

/** The `oauth_*` protocol parameters (RFC 5849 §3.1), without `oauth_signature`. */
export type ProtocolParams = Record<string, string>;

const oauthLib = (sign: (baseString: string) => string) =>
  new OAuth({
    consumer: { key: '', secret: '' },
    signature_method: 'RSA-SHA1',
    // RFC 5849 §3.4.3: RSA-SHA1 ignores the HMAC key the package passes as second argument.
    hash_function: (baseString: string) => sign(baseString),
  });

/** RFC 5849 §3.4.1.2: scheme and host lowercased, default port dropped, no query or fragment. */
export function baseStringUri(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** The query and form parameters as one list, repeated names kept as arrays (RFC 5849 §3.4.1.3.1). */
function requestParams(req: SignedRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  const add = (k: string, v: string) => {
    // oauth-1.0a copies parameters by assignment, and `obj['__proto__'] = v` sets no property:
    // such a parameter would silently drop out of the base string (found by fast-check).
    if (k === '__proto__') throw new Error('oauth1: a parameter named __proto__ cannot be signed');
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  // URLSearchParams decodes as application/x-www-form-urlencoded (`+` is a space), as §3.4.1.3.1 asks.
  for (const [k, v] of new URL(req.url).searchParams) add(k, v);
  for (const [k, v] of Object.entries(req.form ?? {})) add(k, v);
  return { ...out };
}

const forLib = (req: SignedRequest) => ({ method: req.method.toUpperCase(), url: baseStringUri(req.url), data: requestParams(req) });

/** RFC 5849 §3.4.1.1: the signature base string, as oauth-1.0a builds it. */
export function signatureBaseString(req: SignedRequest, params: ProtocolParams): string {
  return oauthLib(() => '').getBaseString(forLib(req), { ...params } as unknown as OAuth.Data);
}

/** RFC 5849 §3.4.3: RSASSA-PKCS1-v1_5 over SHA-1, base64. */
export const rsaSha1 = (privateKeyPem: string) => (baseString: string) =>
  createSign('RSA-SHA1').update(baseString, 'utf8').sign(privateKeyPem, 'base64');

export interface SignOptions {
  consumerKey: string;
  privateKeyPem: string;
  /** §2.1 `oauth_callback`, §2.3 `oauth_verifier`, §3.1 `oauth_token`. */
  extra?: { oauth_token?: string; oauth_callback?: string; oauth_verifier?: string };
  /** For tests: fixed time (epoch ms) and nonce. */
  now?: number;
  nonce?: string;
}

/** RFC 5849 §3.1 + §3.5.1: the `Authorization: OAuth …` header value for one request. */
export function authorizationHeader(req: SignedRequest, o: SignOptions): string {
  const params: ProtocolParams = {
    oauth_consumer_key: o.consumerKey,
    // §3.3: unique per timestamp; 128 random bits.
    oauth_nonce: o.nonce ?? randomBytes(16).toString('hex'),
    oauth_signature_method: 'RSA-SHA1',
    oauth_timestamp: String(Math.floor((o.now ?? Date.now()) / 1000)),
    oauth_version: '1.0',
    ...Object.fromEntries(Object.entries(o.extra ?? {}).filter(([, v]) => v !== undefined)),
  };
  const lib = oauthLib(rsaSha1(o.privateKeyPem));
  const signature = lib.getSignature(forLib(req), undefined, { ...params } as unknown as OAuth.Data);
  return lib.toHeader({ ...params, oauth_signature: signature } as unknown as OAuth.Authorization).Authorization;
}

/** Signs with one of the provider's keys, decrypted by KMS inside this function only (cached). */
async function signWith(ctx: ProviderContext, key: SigningKeyRef, req: SignedRequest, extra: SignOptions['extra']): Promise<string> {
  return authorizationHeader(req, {
    consumerKey: ctx.config.consumerKey ?? ctx.config.clientId,
    privateKeyPem: await key.pem(),
    ...(extra ? { extra } : {}),
  });
}

/**
 * The REST client hooks: every API call signed with the access token (§3), one
 * hook per signing key, tried in turn on 401 (rotation). Query parameters are
 * signed; JSON bodies are not.
 */
export const oauth1Authorize = (ctx: ProviderContext, accessToken: string): Authorize[] =>
  ctx.signingKeys().map((key) =>
    Object.assign(async (method: string, url: string) => ({ authorization: await signWith(ctx, key, { method, url }, { oauth_token: accessToken }) }), {
      accepted: key.accepted,
    }),
  );

/**
 * A token endpoint's refusal. Atlassian (net.oauth) reports problems per the OAuth
 * Problem Reporting extension: `oauth_problem` in a form body or in WWW-Authenticate.
 */
function tokenFailure(what: string, res: ProviderResponse): ProviderError {
  const fromBody = new URLSearchParams(res.text.trim()).get('oauth_problem');
  const fromHeader = /oauth_problem="([^"]*)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
  const problem = (fromBody ?? fromHeader ?? '').slice(0, 64) || undefined;
  if (isTransientStatus(res.status)) {
    return new ProviderError('transient', 'provider_unavailable', `The provider could not ${what} (HTTP ${res.status}).`, {
      providerStatus: res.status,
      detail: `${what}: HTTP ${res.status}`,
      ...retryAfter(res),
    });
  }
  return new ProviderError('refused', 'oauth_error', `The provider refused to ${what}${problem ? ` (${problem})` : ''}.`, {
    providerStatus: res.status,
    ...(problem ? { oauthError: problem === 'permission_denied' ? 'access_denied' : problem } : {}),
    detail: `${what}: HTTP ${res.status} ${problem ?? res.text.slice(0, 200)}`,
  });
}

/** §2.1 / §2.3 answers: form-encoded `oauth_token` and `oauth_token_secret`. */
async function tokenRequest(ctx: ProviderContext, url: string, what: string, extra: SignOptions['extra']) {
  // Each signing key in turn while the answer is 401: mid-rotation, the provider holds one of two.
  let res: ProviderResponse | undefined;
  for (const key of ctx.signingKeys()) {
    const authorization = await signWith(ctx, key, { method: 'POST', url }, extra);
    res = await providerFetch(url, { method: 'POST', headers: { authorization, accept: 'application/x-www-form-urlencoded' }, timeoutMs: ctx.timeoutMs, allowLoopback: ctx.allowLoopback });
    if (res.status !== 401) {
      key.accepted();
      break;
    }
  }
  if (!res) throw new ProviderError('refused', 'signing_key_missing', 'The provider has no signing key.');
  if (res.status !== 200) throw tokenFailure(what, res);
  const fields = new URLSearchParams(res.text.trim());
  const token = fields.get('oauth_token');
  const secret = fields.get('oauth_token_secret');
  if (!token || !secret || token.length > 2048 || secret.length > 2048) {
    throw new ProviderError('refused', 'oauth_error', `The provider answered without a usable token when asked to ${what}.`, { detail: `${what}: no oauth_token` });
  }
  return { token, secret, fields };
}

/** Builds the OAuth 1.0a half of a Provider from its settings. */
export function oauth1Protocol(settings: (ctx: ProviderContext) => OAuth1Settings) {
  return {
    protocol: 'oauth1' as const,

    /** §2.1 temporary credentials, then §2.2 the authorize URL. The request token is the correlation; its secret is kept. */
    async startAuthorization(ctx: ProviderContext): Promise<AuthorizationStart> {
      const s = settings(ctx);
      const { token, secret, fields } = await tokenRequest(ctx, s.requestTokenUrl, 'issue a request token', { oauth_callback: ctx.callbackUrl });
      // §2.1: the server MUST confirm the callback. Without it this is OAuth 1.0, whose callback an attacker can swap.
      if (fields.get('oauth_callback_confirmed') !== 'true') {
        throw new ProviderError('refused', 'oauth_error', 'The provider did not confirm the callback (OAuth 1.0a required).', { detail: 'oauth_callback_confirmed missing' });
      }
      const url = new URL(s.authorizeUrl);
      url.searchParams.set('oauth_token', token);
      // The token itself is kept too: the callback exchanges exactly the request token of the consumed attempt.
      return { authorizeUrl: url.toString(), secrets: { requestToken: token, requestTokenSecret: secret }, correlation: token };
    },

    /** §2.2 callback (`oauth_token`, `oauth_verifier`) → §2.3 token credentials. */
    async finishAuthorization(ctx: ProviderContext, p: { query: Record<string, string>; secrets: Record<string, string> }): Promise<TokenSet> {
      const s = settings(ctx);
      const { oauth_token: echoed, oauth_verifier: verifier } = p.query;
      const requestToken = p.secrets.requestToken;
      if (!echoed) throw new ProviderError('refused', 'invalid_callback', 'The provider sent no oauth_token.');
      // §2.2: the callback echoes the request token of this attempt; any other is a swapped callback (issue 10 attack 1).
      if (!requestToken || echoed !== requestToken) {
        throw new ProviderError('refused', 'invalid_callback', 'The callback names another request token.');
      }
      if (s.deniedVerifier !== undefined && verifier === s.deniedVerifier) {
        throw new ProviderError('refused', 'oauth_error', 'The authorization was denied.', { oauthError: 'access_denied' });
      }
      if (!verifier) throw new ProviderError('refused', 'invalid_callback', 'The provider sent no oauth_verifier.');
      const { token, secret, fields } = await tokenRequest(ctx, s.accessTokenUrl, 'issue an access token', {
        oauth_token: requestToken,
        oauth_verifier: verifier,
      });
      const expiresIn = Number(fields.get('oauth_expires_in'));
      return {
        accessToken: token,
        // Unused by RSA-SHA1 (§3.4.3 signs with the client key alone), so gitlink does not store it.
        tokenSecret: secret,
        ...(Number.isInteger(expiresIn) && expiresIn > 0 ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
      };
    },
  };
}
