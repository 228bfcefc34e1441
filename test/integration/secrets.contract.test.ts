/**
 * Secrets contract: the local secrets file and Secrets Manager over the wire
 * (moto_server, and AWS_ENDPOINT_URL if given), each also behind the cache.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecrets } from '@shared/secrets/aws';
import { CachedSecrets } from '@shared/secrets/cached';
import { FileSecrets } from '@shared/secrets/file';
import type { Secrets } from '@shared/secrets/port';
import { awsTargets, credentials, region, reportSkipped, unique } from '../support/targets';

const { run, skipped } = awsTargets();
const base: Array<{ name: string; make(): Secrets }> = [
  { name: 'secrets file', make: () => new FileSecrets({ dataDir: mkdtempSync(join(tmpdir(), 'gitlink-secrets-')) }) },
  ...run.map((t) => ({
    name: `Secrets Manager on ${t.name}`,
    make: () => new AwsSecrets({ client: new SecretsManagerClient({ endpoint: t.endpoint, region, credentials }), namePrefix: `${unique('t')}/` }),
  })),
];
const targets = [...base, ...base.map((t) => ({ name: `${t.name}, cached`, make: () => new CachedSecrets(t.make(), 60_000) }))];

describe('secrets contract', () => {
  reportSkipped(skipped);

  describe.each(targets)('$name', (target) => {
    test('put, overwrite, get and delete a client secret', async () => {
      const s = target.make();
      expect(await s.get('github')).toBeUndefined();
      await s.put('github', 'first-secret');
      expect(await s.get('github')).toBe('first-secret');
      await s.put('github', 'second-secret');
      expect(await s.get('github')).toBe('second-secret');
      await s.delete('github');
      expect(await s.get('github')).toBeUndefined();
      await s.delete('github'); // deleting twice is fine
      await s.put('github', 'again'); // and the name is free again at once
      expect(await s.get('github')).toBe('again');
    });

    test('secrets of different providers are separate', async () => {
      const s = target.make();
      await s.put('a', 'sa');
      await s.put('b', 'sb');
      expect([await s.get('a'), await s.get('b')]).toEqual(['sa', 'sb']);
    });
  });

  test('the secrets file is readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitlink-secrets-'));
    await new FileSecrets({ dataDir: dir }).put('x', 'y');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o077).toBe(0);
  });

  test('the cache serves repeated reads from memory until its TTL passes', async () => {
    let reads = 0;
    let now = 0;
    const inner: Secrets = { get: async () => (reads++, 'v'), put: async () => undefined, delete: async () => undefined };
    const cached = new CachedSecrets(inner, 1000, () => now);
    await cached.get('p');
    await cached.get('p');
    expect(reads).toBe(1);
    now = 1001;
    await cached.get('p');
    expect(reads).toBe(2);
    await cached.put('p', 'new');
    await cached.get('p');
    expect(reads).toBe(3);
  });

  test('another revision of the provider config is a cache miss, and a missing secret is never cached', async () => {
    const store: Record<string, string> = {};
    let reads = 0;
    const inner: Secrets = { get: async (id) => (reads++, store[id]), put: async () => undefined, delete: async () => undefined };
    const cached = new CachedSecrets(inner, 60_000);
    expect(await cached.get('p', 'r1')).toBeUndefined();
    store.p = 'set-by-another-container';
    expect(await cached.get('p', 'r1')).toBe('set-by-another-container');
    store.p = 'changed-by-another-container';
    expect(await cached.get('p', 'r1')).toBe('set-by-another-container'); // same revision: cached
    expect(await cached.get('p', 'r2')).toBe('changed-by-another-container');
    expect(reads).toBe(3);
  });
});
