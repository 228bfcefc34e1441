/**
 * Builds what a provider implementation needs for one call: its config, the
 * callback URL, and lazy access to its secrets (client secret from Secrets
 * Manager, or the Bitbucket signing key decrypted by KMS, cached in memory).
 */
import { SIGNING_PURPOSE } from '../crypto/port';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import type { ProviderConfig, ProviderContext } from '../providers/types';

export const signingContext = (providerId: string) => ({ purpose: SIGNING_PURPOSE, providerId });

/** Decrypted signing keys, per container, keyed by ciphertext (a rotation changes the key). */
const signingKeys = new Map<string, Promise<string>>();
/** Per provider, the ciphertext of the key the provider last accepted (this container's memory). */
const acceptedKey = new Map<string, string>();

function decryptedSigningKey(deps: Pick<Deps, 'crypto'>, providerId: string, ciphertext: string): Promise<string> {
  let pem = signingKeys.get(ciphertext);
  if (!pem) {
    pem = deps.crypto.decryptSigningKey(ciphertext, signingContext(providerId));
    pem.catch(() => signingKeys.delete(ciphertext));
    signingKeys.set(ciphertext, pem);
  }
  return pem;
}

export const callbackUrlFor = (origin: string) => `${origin}/oauth/callback`;

export function providerContext(deps: Pick<Deps, 'secrets' | 'crypto' | 'config'>, config: ProviderConfig, origin: string): ProviderContext {
  return {
    config,
    callbackUrl: callbackUrlFor(origin),
    timeoutMs: deps.config.PROVIDER_TIMEOUT_MS,
    allowLoopback: deps.config.GITLINK_MODE === 'local',
    async clientSecret() {
      const secret = await deps.secrets.get(config.id, config.updatedAt);
      if (!secret) throw new AppError('client_secret_missing', `Provider ${config.id} has no client secret; an admin must set one.`);
      return secret;
    },
    signingKeys() {
      const candidates = [config.signingKey, config.pendingSigningKey].filter((k): k is NonNullable<typeof k> => !!k);
      if (!candidates.length) throw new AppError('signing_key_missing', `Provider ${config.id} has no signing key.`);
      const preferred = acceptedKey.get(config.id);
      candidates.sort((a, b) => Number(b.privateKeyCiphertext === preferred) - Number(a.privateKeyCiphertext === preferred));
      return candidates.map((k) => ({
        pem: () => decryptedSigningKey(deps, config.id, k.privateKeyCiphertext),
        accepted: () => void acceptedKey.set(config.id, k.privateKeyCiphertext),
      }));
    },
  };
}
