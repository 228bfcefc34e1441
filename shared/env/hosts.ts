/**
 * Which provider serves a git host. Each provider names the host git uses for
 * it (`gitHttpsHost`); a request matches on host and scheme (an `https`
 * request may also match a loopback `http` provider: see `match`).
 *
 * The provider list is cached per container for a short time, because it
 * changes rarely and the credential fetch is the hot path. A miss reloads at
 * once (callers ask only after the token is authenticated), so a provider an
 * admin just added is found on the next fetch.
 */
import { isLoopbackHostname } from '../net/loopback';
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

/** A base URL on this machine (the only place admin input allows plain http). */
export const isLoopbackUrl = (baseUrl: string): boolean => isLoopbackHostname(new URL(baseUrl).hostname);

export const schemeOf = (config: ProviderConfig): 'http' | 'https' => (new URL(config.baseUrl).protocol === 'http:' ? 'http' : 'https');

export interface DirectoryOptions {
  /** How long a loaded list is trusted. */
  ttlMs?: number;
  now?: () => number;
  providerFor?: (type: ProviderConfig['type']) => Provider;
}

/** A forced reload (after a miss) happens at most this often. */
const MIN_RELOAD_MS = 1_000;

export class ProviderDirectory {
  private loaded: { at: number; configs: ProviderConfig[] } | undefined;
  private inflight: Promise<ProviderConfig[]> | undefined;
  /** When each host that missed last forced a reload. */
  private readonly forcedAt = new Map<string, number>();
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

  /**
   * Providers, from cache unless it is older than the TTL (or than `maxAgeMs`).
   */
  async list(maxAgeMs = this.ttlMs): Promise<ProviderConfig[]> {
    const maxAge = Math.min(maxAgeMs, this.ttlMs);
    if (this.loaded && this.now() - this.loaded.at < maxAge) return this.loaded.configs;
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

  /**
   * How old a list may be for a host that missed. The first miss of a host
   * reloads at once, so a provider just added or moved (shared/admin/provider-move.ts)
   * is found on its first request; a host that keeps missing reloads at most
   * once a second, because with `credential.helper` set globally, every host
   * git talks to would otherwise cost a query each time.
   */
  private maxAgeAfterMiss(host: string): number {
    const now = this.now();
    const last = this.forcedAt.get(host);
    if (last !== undefined && now - last < MIN_RELOAD_MS) return this.ttlMs;
    if (this.forcedAt.size >= 1_000) this.forcedAt.clear();
    this.forcedAt.set(host, now);
    return 0;
  }

  /**
   * The provider for git's `host` (and scheme), from the cached list; `fresh`
   * (the host missed) reloads it first, see `maxAgeAfterMiss`.
   *
   * The scheme must match, with one exception in the safe direction: an
   * `https` request may match a provider served over plain `http` on a
   * loopback host (local mode, ALLOW_HTTP_LOOPBACK; admin input refuses http
   * anywhere else). The token then travels only back to the caller over its
   * own connection to gitlink, never over clear text to another machine. The
   * dangerous direction, `http` asked for a provider served over `https`, is
   * never matched but reported as `wrongScheme`, so no token goes over clear text.
   */
  async match(scheme: 'http' | 'https', host: string, fresh = false): Promise<{ hit?: HostMatch; wrongScheme?: HostMatch; moved?: HostMatch }> {
    const wanted = host.toLowerCase();
    const configs = await this.list(fresh ? this.maxAgeAfterMiss(wanted) : this.ttlMs);
    let wrongScheme: HostMatch | undefined;
    let upgraded: HostMatch | undefined;
    for (const config of configs) {
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
      if (scheme === 'https' && isLoopbackUrl(config.baseUrl)) upgraded ??= { config, provider };
      else wrongScheme ??= { config, provider };
    }
    // An exact scheme match, had there been one, has returned above.
    if (upgraded) return { hit: upgraded };
    if (wrongScheme) return { wrongScheme };
    const moved = this.movedFrom(configs, wanted);
    return moved ? { moved } : {};
  }

  /** The provider that served `host` before an admin moved it (shared/admin/provider-move.ts). */
  private movedFrom(configs: ProviderConfig[], host: string): HostMatch | undefined {
    for (const config of configs) {
      if (!config.movedFromHosts?.some((h) => normalizeHost(h, schemeOf(config)) === normalizeHost(host, schemeOf(config)))) continue;
      try {
        return { config, provider: this.providerFor(config.type) };
      } catch {
        continue;
      }
    }
    return undefined;
  }
}
