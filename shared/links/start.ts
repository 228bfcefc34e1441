/**
 * `POST /v1/links/{providerId}`: starts a link (ARCHITECTURE.md §3 step 2).
 * Creates `state` and a PKCE verifier, stores them hashed/encrypted with a
 * 10-minute TTL, binds the attempt to this browser, and answers the URL to visit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { needsClientSecret } from '../contract/provider-types';
import type { Deps } from '../deps';
import { conflict, notFound } from '../errors';
import { providerFor } from '../providers';
import { STATE_TTL_SECONDS } from '../store/states';
import { bindingCookie, hashNonce, newNonce } from './browser-binding';
import { providerContext } from '../credentials/provider-context';
import { tokenContext } from '../credentials/tokens';

/** RFC 7636 §4.1: 32 random octets → 43 base64url characters. */
export const newVerifier = () => randomBytes(32).toString('base64url');
/** RFC 7636 §4.2: S256. */
export const challengeOf = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export const linkStateContext = (userId: string, providerId: string) => tokenContext(userId, providerId, 'linkState');

export async function startLink(deps: Deps, userId: string, providerId: string, origin: string) {
  const config = await deps.providers.get(providerId);
  if (!config) throw notFound('unknown_provider', `No provider "${providerId}" is configured.`);
  const provider = providerFor(config.type);
  // Fail here, not at the callback: the developer would approve at the provider for nothing.
  if (needsClientSecret(config.type) && !config.clientSecretSet) {
    throw conflict('client_secret_missing', `Provider "${providerId}" has no client secret yet; an admin must set one.`);
  }
  const ctx = providerContext(deps, config, origin);

  // RFC 6749 §10.12 / RFC 9700 §2.1: an unguessable, single-use state that also fixes the provider.
  const state = randomBytes(32).toString('base64url');
  const verifier = provider.protocol === 'oauth2' && config.pkce ? newVerifier() : undefined;
  const started = await provider.startAuthorization(ctx, { state, ...(verifier ? { codeChallenge: challengeOf(verifier) } : {}) });

  const nonce = newNonce();
  const secrets = { ...started.secrets, ...(verifier ? { codeVerifier: verifier } : {}) };
  await deps.states.put(started.correlation, {
    userId,
    providerId,
    nonceHash: hashNonce(nonce),
    secretsCt: await deps.crypto.encrypt(JSON.stringify(secrets), linkStateContext(userId, providerId)),
    ttl: Math.floor(deps.now() / 1000) + STATE_TTL_SECONDS,
    createdAt: new Date(deps.now()).toISOString(),
  });
  return { authorizeUrl: started.authorizeUrl, cookie: bindingCookie(providerId, nonce) };
}
