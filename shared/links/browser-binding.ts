/**
 * Binds a link attempt to the browser that started it (ARCHITECTURE.md §3, after
 * draft-ietf-oauth-security-topics-update "cross-user session fixation"):
 * `POST /v1/links/{id}`, an authenticated same-origin call, sets a `__Host-`
 * cookie with a random nonce and stores only the nonce's hash with the state.
 * The callback accepts the state only from a browser that holds the nonce.
 * No URL gitlink issues can set this cookie, so an attacker cannot plant it.
 */
import { randomBytes } from 'node:crypto';
import { hashMatches, sha256hex } from '../crypto/hash';
import { STATE_TTL_SECONDS } from '../store/states';

/** One cookie per provider, so linking two providers in two tabs at once works. */
export const bindingCookieName = (providerId: string) => `__Host-gitlink-link-${providerId}`;

export const newNonce = () => randomBytes(32).toString('base64url');

export const hashNonce = sha256hex;

/**
 * `__Host-` requires Secure and Path=/ and forbids Domain (RFC 6265bis §4.1.3.2).
 * SameSite=Lax: the provider's redirect back is a top-level GET navigation, which Lax allows.
 */
export const bindingCookie = (providerId: string, nonce: string) =>
  `${bindingCookieName(providerId)}=${nonce}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${STATE_TTL_SECONDS}`;

export const clearBindingCookie = (providerId: string) =>
  `${bindingCookieName(providerId)}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;

/** Constant time: the stored hash against the hash of the presented nonce. */
export const nonceMatches = hashMatches;
