/**
 * Decrypted access tokens, in memory, per container (ARCHITECTURE.md §5): so a warm
 * credential fetch costs one DynamoDB read and no KMS call.
 *
 * An entry is used only while the link still says the same thing:
 * - same `version` (any refresh, relink or relink-mark bumps it), and
 * - same access-token ciphertext. `version` alone is not enough: unlink
 *   deletes the item, and a relink then starts again at version 1, so an old
 *   entry could carry the very version number of the new link. Ciphertexts
 *   are randomized (KMS and AES-GCM alike), so a new token never matches an old one.
 * and only for `maxAgeMs` (≤ 60 s) and never past the token's own expiry.
 *
 * Validity of the *environment token* is never cached: it is checked on every request.
 */
export interface CachedCredential {
  accessToken: string;
  /** Epoch ms, if the token expires. */
  expiresAt?: number;
}

interface Entry extends CachedCredential {
  version: number;
  accessTokenCt: string;
  until: number;
}

export interface LinkIdentity {
  userId: string;
  providerId: string;
  version: number;
  accessTokenCt: string;
  expiresAt?: number;
}

/** ARCHITECTURE.md §5: at most 60 s. */
export const MAX_CACHE_MS = 60_000;

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: { maxAgeMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {}

  private get now() {
    return (this.opts.now ?? Date.now)();
  }

  private static key(l: Pick<LinkIdentity, 'userId' | 'providerId'>) {
    return `${l.userId}\u0000${l.providerId}`;
  }

  get(link: LinkIdentity): CachedCredential | undefined {
    const key = CredentialCache.key(link);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.version !== link.version || e.accessTokenCt !== link.accessTokenCt || e.until <= this.now) {
      this.entries.delete(key);
      return undefined;
    }
    return { accessToken: e.accessToken, ...(e.expiresAt !== undefined ? { expiresAt: e.expiresAt } : {}) };
  }

  set(link: LinkIdentity, accessToken: string): void {
    const maxAge = Math.min(this.opts.maxAgeMs ?? MAX_CACHE_MS, MAX_CACHE_MS);
    const until = Math.min(this.now + maxAge, link.expiresAt ?? Infinity);
    if (until <= this.now) return;
    const key = CredentialCache.key(link);
    this.entries.delete(key); // re-insert: Map order is then oldest-first
    this.entries.set(key, {
      accessToken,
      ...(link.expiresAt !== undefined ? { expiresAt: link.expiresAt } : {}),
      version: link.version,
      accessTokenCt: link.accessTokenCt,
      until,
    });
    const max = this.opts.maxEntries ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
