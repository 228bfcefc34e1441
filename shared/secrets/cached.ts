/**
 * An in-memory cache in front of any Secrets adapter (ARCHITECTURE.md §5: "functions
 * read them with an in-memory cache"). Writes through and invalidates. Other
 * containers see an admin's change at once too: every write of a secret also
 * bumps the provider config's `updatedAt`, which callers pass as `revision`,
 * and an entry of another revision is a miss. A missing secret is never
 * cached, so setting one takes effect on the next request.
 */
import type { Secrets } from './port';

export class CachedSecrets implements Secrets {
  private readonly entries = new Map<string, { value: string; revision: string | undefined; until: number }>();
  constructor(
    private readonly inner: Secrets,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(providerId: string, revision?: string) {
    const hit = this.entries.get(providerId);
    if (hit && hit.until > this.now() && hit.revision === revision) return hit.value;
    const value = await this.inner.get(providerId);
    if (value === undefined) this.entries.delete(providerId);
    else this.entries.set(providerId, { value, revision, until: this.now() + this.ttlMs });
    return value;
  }
  async put(providerId: string, secret: string) {
    this.entries.delete(providerId);
    await this.inner.put(providerId, secret);
  }
  async delete(providerId: string) {
    this.entries.delete(providerId);
    await this.inner.delete(providerId);
  }
}
