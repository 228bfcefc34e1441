/**
 * Which provider serves a git host. Each provider names the host git uses for
 * it (`gitHttpsHost`); a request matches on host and scheme.
 *
 * The provider list is cached per container for a short time, because it
 * changes rarely and the credential fetch is the hot path. A miss reloads at
 * once (callers ask only after the token is authenticated), so a provider an
 * admin just added is found on the next fetch.
 */
import { providerFor } from '../providers';
import type { Provider, ProviderConfig } from '../providers/types';

export interface ProviderSource {
  list(): Promise<ProviderConfig[]>;
}

export interface HostMatch {
  config: ProviderConfig;
  provider: Provider;
}

/** Default ports are implied: `gitlab.com:443` over https is `gitlab.com`. */
export function normalizeHost(host: string, scheme: 'http' | 'https'): string {
  const h = host.toLowerCase();
  const implied = scheme === 'https' ? ':443' : ':80';
  return h.endsWith(implied) ? h.slice(0, -implied.length) : h;
}

export const schemeOf = (config: ProviderConfig): 'http' | 'https' => (new URL(config.baseUrl).protocol === 'http:' ? 'http' : 'https');

export interface DirectoryOptions {
  /** How long a loaded list is trusted. */
  ttlMs?: number;
  now?: () => number;
  providerFor?: (type: ProviderConfig['type']) => Provider;
}

export class ProviderDirectory {
  private loaded: { at: number; configs: ProviderConfig[] } | undefined;
  private inflight: Promise<ProviderConfig[]> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  readonly providerFor: (type: ProviderConfig['type']) => Provider;

  constructor(
    private readonly source: ProviderSource,
    opts: DirectoryOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.providerFor = opts.providerFor ?? providerFor;
  }

  /** Providers, from cache unless it is older than the TTL (or `fresh`). */
  async list(fresh = false): Promise<ProviderConfig[]> {
    if (!fresh && this.loaded && this.now() - this.loaded.at < this.ttlMs) return this.loaded.configs;
    // Concurrent misses share one query.
    this.inflight ??= this.source
      .list()
      .then((configs) => {
        this.loaded = { at: this.now(), configs };
        return configs;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  /** The provider for git's `host` (and scheme), from the cached list only. */
  async match(scheme: 'http' | 'https', host: string, fresh = false): Promise<{ hit?: HostMatch; wrongScheme?: HostMatch }> {
    const wanted = host.toLowerCase();
    let wrongScheme: HostMatch | undefined;
    for (const config of await this.list(fresh)) {
      let provider: Provider;
      try {
        provider = this.providerFor(config.type);
      } catch {
        continue; // a type whose implementation has not landed serves nothing
      }
      const s = schemeOf(config);
      const candidate = normalizeHost(provider.gitHttpsHost(config), s);
      if (normalizeHost(wanted, s) !== candidate) continue;
      if (s === scheme) return { hit: { config, provider } };
      wrongScheme = { config, provider };
    }
    return wrongScheme ? { wrongScheme } : {};
  }

  /** Drops the cached list (tests, or after a change made by this container). */
  invalidate(): void {
    this.loaded = undefined;
  }
}
