/**
 * The secrets port: one client secret per provider (ARCHITECTURE.md §5). Written by the
 * admin API, never returned by it, read by the functions through a cache.
 */
export interface Secrets {
  put(providerId: string, secret: string): Promise<void>;
  /**
   * `undefined` when no secret is set. `revision` (the provider config's
   * `updatedAt`) lets a cache tell that an admin has changed the secret since.
   */
  get(providerId: string, revision?: string): Promise<string | undefined>;
  delete(providerId: string): Promise<void>;
}

/** Secrets Manager name of a provider's client secret; IAM grants only this prefix. */
export const SECRET_PREFIX = 'gitlink/providers/';
export const secretName = (providerId: string) => `${SECRET_PREFIX}${providerId}`;
