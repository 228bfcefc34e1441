/** The decrypted-credential cache (ARCHITECTURE.md §5): keyed by the link, ≤ 60 s, never past the token's expiry. */
import { CredentialCache, MAX_CACHE_MS } from '@shared/env/cache';

const link = (over: Partial<{ version: number; accessTokenCt: string; expiresAt: number }> = {}) => ({
  userId: 'alice', providerId: 'gitlab', version: 3, accessTokenCt: 'ct-1', ...over,
});

describe('credential cache', () => {
  let now = 1_000_000;
  const cache = () => new CredentialCache({ now: () => now });
  beforeEach(() => {
    now = 1_000_000;
  });

  test('hits while the link is unchanged', () => {
    const c = cache();
    c.set(link(), 'tok');
    expect(c.get(link())?.accessToken).toBe('tok');
  });

  test('misses when the version or the ciphertext changed', () => {
    const c = cache();
    c.set(link(), 'tok');
    expect(c.get(link({ version: 4 }))).toBeUndefined();
    c.set(link(), 'tok');
    expect(c.get(link({ accessTokenCt: 'ct-2' }))).toBeUndefined();
  });

  test('keeps an entry at most 60 s, whatever it is asked', () => {
    const c = new CredentialCache({ now: () => now, maxAgeMs: 10 * MAX_CACHE_MS });
    c.set(link(), 'tok');
    now += MAX_CACHE_MS - 1;
    expect(c.get(link())).toBeDefined();
    now += 1;
    expect(c.get(link())).toBeUndefined();
  });

  test('never past the token expiry', () => {
    const c = cache();
    c.set(link({ expiresAt: now + 5_000 }), 'tok');
    now += 4_999;
    expect(c.get(link({ expiresAt: 1_005_000 }))).toBeDefined();
    now += 1;
    expect(c.get(link({ expiresAt: 1_005_000 }))).toBeUndefined();
    c.set(link({ expiresAt: now - 1 }), 'expired');
    expect(c.size).toBe(0);
  });

  test('is bounded: the oldest entry goes first', () => {
    const c = new CredentialCache({ now: () => now, maxEntries: 2 });
    for (const userId of ['a', 'b', 'c']) c.set({ ...link(), userId }, userId);
    expect(c.get({ ...link(), userId: 'a' })).toBeUndefined();
    expect(c.get({ ...link(), userId: 'c' })?.accessToken).toBe('c');
  });

  test('separates users and providers', () => {
    const c = cache();
    c.set(link(), 'alice-token');
    expect(c.get({ ...link(), userId: 'bob' })).toBeUndefined();
    expect(c.get({ ...link(), providerId: 'github' })).toBeUndefined();
  });
});
