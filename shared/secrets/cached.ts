/**
 * An in-memory cache in front of any Secrets adapter (DESIGN §5: "functions
 * read them with an in-memory cache"). Writes through and invalidates, so an
 * admin's change is seen at once by the container that made it, and by the
 * others within `ttlMs`.
 */
import type { Secrets } from './port';

export class CachedSecrets implements Secrets {
  private readonly entries = new Map<string, { value: string | undefined; until: number }>();
  constructor(
    private readonly inner: Secrets,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(providerId: string) {
    const hit = this.entries.get(providerId);
    if (hit && hit.until > this.now()) return hit.value;
    const value = await this.inner.get(providerId);
    this.entries.set(providerId, { value, until: this.now() + this.ttlMs });
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
