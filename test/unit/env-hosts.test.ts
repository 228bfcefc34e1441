/** Host → provider matching (ARCHITECTURE.md §3 step 3) and the short per-container provider-list cache. */
import { normalizeHost, ProviderDirectory } from '@shared/env/hosts';
import { providerFor } from '@shared/providers';
import type { ProviderConfig } from '@shared/providers/types';

const config = (id: string, type: ProviderConfig['type'], baseUrl: string): ProviderConfig => ({
  id, type, displayName: id, baseUrl, clientId: 'c', scopes: [], pkce: true, clientSecretSet: true, createdAt: '', updatedAt: '',
});

function source(configs: ProviderConfig[]) {
  const s = { calls: 0, configs, list: async () => (s.calls++, s.configs) };
  return s;
}

describe('matching a git host to a provider', () => {
  const configs = [
    config('gitlab', 'gitlab', 'https://gitlab.example.com'),
    config('ghes', 'github', 'https://github.corp.example:8443'),
    config('local', 'gitlab', 'http://127.0.0.1:4567'),
    config('future', 'bitbucket-cloud', 'https://bitbucket.example.com'),
  ];
  // A type whose implementation is missing (or was removed) serves nothing.
  const dir = () =>
    new ProviderDirectory(source(configs), {
      providerFor: (t) => {
        if (t === 'bitbucket-cloud') throw new Error('not implemented');
        return providerFor(t);
      },
    });

  test.each([
    ['https', 'gitlab.example.com', 'gitlab'],
    ['https', 'GitLab.Example.com', 'gitlab'],
    ['https', 'gitlab.example.com:443', 'gitlab'],
    ['https', 'github.corp.example:8443', 'ghes'],
    ['http', '127.0.0.1:4567', 'local'],
  ] as const)('%s://%s → %s', async (scheme, host, id) => {
    expect((await dir().match(scheme, host)).hit?.config.id).toBe(id);
  });

  test.each([
    ['https', 'github.corp.example'],
    ['https', 'gitlab.example.com.evil.test'],
    ['https', 'evil.test'],
    ['https', 'bitbucket.example.com'],
  ] as const)('%s://%s matches nothing', async (scheme, host) => {
    expect(await dir().match(scheme, host)).toEqual({});
  });

  test('plain http to an https provider is reported, never matched (no token over clear text)', async () => {
    const m = await dir().match('http', 'gitlab.example.com');
    expect(m.hit).toBeUndefined();
    expect(m.wrongScheme?.config.id).toBe('gitlab');
  });

  test('https to a provider served over plain http on loopback matches (local mode: the token only goes back to the caller)', async () => {
    expect((await dir().match('https', '127.0.0.1:4567')).hit?.config.id).toBe('local');
  });

  test('an exact scheme match wins over the loopback upgrade', async () => {
    const both = new ProviderDirectory(source([config('plain', 'gitlab', 'http://localhost:9000'), config('tls', 'gitlab', 'https://localhost:9000')]));
    expect((await both.match('https', 'localhost:9000')).hit?.config.id).toBe('tls');
    expect((await both.match('http', 'localhost:9000')).hit?.config.id).toBe('plain');
  });

  test('https never matches a plain-http provider off loopback (admin input refuses one; a stray record is still not served)', async () => {
    const stray = new ProviderDirectory(source([config('stray', 'gitlab', 'http://gitlab.lan')]));
    const m = await stray.match('https', 'gitlab.lan');
    expect(m.hit).toBeUndefined();
    expect(m.wrongScheme?.config.id).toBe('stray');
  });

  test('default ports are implied', () => {
    expect(normalizeHost('a.example:443', 'https')).toBe('a.example');
    expect(normalizeHost('a.example:80', 'http')).toBe('a.example');
    expect(normalizeHost('a.example:80', 'https')).toBe('a.example:80');
  });
});

describe('provider list cache', () => {
  test('one query per TTL; `fresh` reloads; concurrent loads share one query', async () => {
    let now = 0;
    const s = source([config('gitlab', 'gitlab', 'https://gitlab.example.com')]);
    const dir = new ProviderDirectory(s, { ttlMs: 30_000, now: () => now });
    await Promise.all([dir.match('https', 'gitlab.example.com'), dir.match('https', 'x')]);
    expect(s.calls).toBe(1);
    now += 29_999;
    await dir.match('https', 'gitlab.example.com');
    expect(s.calls).toBe(1);
    now += 1;
    await dir.match('https', 'gitlab.example.com');
    expect(s.calls).toBe(2);
    s.configs = [...s.configs, config('new', 'github', 'https://new.example')];
    expect((await dir.match('https', 'new.example')).hit).toBeUndefined();
    // The first miss of a host reloads at once, even right after a load: a provider just added or moved is found…
    expect((await dir.match('https', 'new.example', true)).hit?.config.id).toBe('new');
    expect(s.calls).toBe(3);
    // …but a host that keeps missing reloads at most once a second.
    await dir.match('https', 'stray.example', true);
    expect(s.calls).toBe(4);
    await dir.match('https', 'stray.example', true);
    expect(s.calls).toBe(4);
    now += 1_000;
    await dir.match('https', 'stray.example', true);
    expect(s.calls).toBe(5);
  });
});
