/**
 * Builds what a provider implementation needs for one call: its config, the
 * callback URL, and lazy access to its secrets (client secret from Secrets
 * Manager, or the Bitbucket signing key decrypted by KMS, cached in memory).
 */
import { SIGNING_PURPOSE } from '../crypto/port';
import type { Deps } from '../deps';
import { AppError } from '../http/errors';
import type { ProviderConfig, ProviderContext } from '../providers/types';

export const signingContext = (providerId: string) => ({ purpose: SIGNING_PURPOSE, providerId });

/** Decrypted signing keys, per container, keyed by ciphertext (a rotation changes the key). */
const signingKeys = new Map<string, Promise<string>>();

export const callbackUrlFor = (origin: string) => `${origin}/oauth/callback`;

export function providerContext(deps: Pick<Deps, 'secrets' | 'crypto' | 'config'>, config: ProviderConfig, origin: string): ProviderContext {
  return {
    config,
    callbackUrl: callbackUrlFor(origin),
    timeoutMs: deps.config.PROVIDER_TIMEOUT_MS,
    async clientSecret() {
      const secret = await deps.secrets.get(config.id);
      if (!secret) throw new AppError(409, 'client_secret_missing', `Provider ${config.id} has no client secret; an admin must set one.`);
      return secret;
    },
    signingKeyPem() {
      const key = config.signingKey;
      if (!key) throw new AppError(409, 'signing_key_missing', `Provider ${config.id} has no signing key.`);
      let pem = signingKeys.get(key.privateKeyCiphertext);
      if (!pem) {
        pem = deps.crypto.decryptSigningKey(key.privateKeyCiphertext, signingContext(config.id));
        pem.catch(() => signingKeys.delete(key.privateKeyCiphertext));
        signingKeys.set(key.privateKeyCiphertext, pem);
      }
      return pem;
    },
  };
}
