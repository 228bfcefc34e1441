/**
 * What an environment token may ask for (ARCHITECTURE.md §3 "Credential fetch", §3b):
 * a git credential for one host, and the developer's SSH key.
 *
 * One instance per container: it holds the per-container caches (decrypted
 * credentials, provider list). Everything an environment token unlocks is
 * read with the token record in one BatchGetItem, and the token is checked on
 * every request: its validity is never cached.
 */
import type { CredentialAnswer, EnvSshKeyAnswer } from '../contract/api';
import { providerType } from '../contract/provider-types';
import { DecryptFailed } from '../crypto/port';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { log } from '../log';
import { providerContext } from '../credentials/provider-context';
import { tokenContext } from '../credentials/tokens';
import { EnvTokenStore, type EnvTokenRecord } from '../store/env-tokens';
import { hasTokens, MOVED, type LinkRecord } from '../store/links';
import { readMany } from '../store/read';
import type { SshKeyRecord } from '../store/ssh-keys';
import { StaleVersion } from '../store/table';
import { ensureUserKey, privateKeyOf } from '../ssh/user-key';
import { CredentialCache } from './cache';
import { badEnvToken, noProvider, notLinked, relinkRequired, sshOnly, wrongScheme } from './errors';
import { ProviderDirectory, schemeOf, type HostMatch } from './hosts';
import { ensureFresh, type RefreshOptions } from '../credentials/refresh';
import type { CredentialRequest } from './request';
import { parseEnvToken, secretMatches, type EnvTokenParts } from './token';

/** The relink reason of a token that does not decrypt under its own link's context. */
const UNREADABLE = 'token_unreadable';

export type EnvDeps = Pick<Deps, 'table' | 'links' | 'providers' | 'sshKeys' | 'crypto' | 'secrets' | 'config' | 'now'> & Partial<Pick<Deps, 'events'>>;

export interface EnvServiceOptions {
  cache?: CredentialCache;
  directory?: ProviderDirectory;
  refresh?: RefreshOptions;
  /** `lastUsedAt` is written at most this often per token (so a warm fetch is one read). Default 5 min. */
  touchEveryMs?: number;
}

export type { CredentialAnswer, EnvSshKeyAnswer } from '../contract/api';

export class EnvService {
  readonly tokens: EnvTokenStore;
  readonly cache: CredentialCache;
  readonly directory: ProviderDirectory;
  private readonly touched = new Map<string, number>();
  private readonly touchEveryMs: number;

  constructor(
    readonly deps: EnvDeps,
    private readonly opts: EnvServiceOptions = {},
  ) {
    this.tokens = new EnvTokenStore(deps.table);
    this.cache = opts.cache ?? new CredentialCache({ now: deps.now });
    this.directory = opts.directory ?? new ProviderDirectory(deps.providers, { now: deps.now });
    this.touchEveryMs = opts.touchEveryMs ?? 5 * 60_000;
  }

  /** `POST /v1/git/credential`. `token` is the bearer value, unparsed. */
  async credential(token: string | undefined, req: CredentialRequest, origin: string): Promise<CredentialAnswer> {
    const parts = parseEnvToken(token);
    if (!parts) throw badEnvToken();
    const target = await this.matchHost(parts, req);
    // One BatchGetItem: the token record and the link (issue 5 §2).
    const [tokenRecord, link] = await readMany(this.deps.table, [this.tokens.ref(parts.userId, parts.tokenId), this.deps.links.ref(parts.userId, target.config.id)]);
    this.checkToken(parts, tokenRecord);
    const touch = this.touch(parts, tokenRecord);
    try {
      return await this.answer(target, link, origin);
    } finally {
      await touch;
    }
  }

  /** `GET /v1/env/ssh-key`: the token's own user's key pair and the hosts to use it with. */
  async sshKey(token: string | undefined, opts: { hostsOnly: boolean }): Promise<EnvSshKeyAnswer> {
    const parts = parseEnvToken(token);
    if (!parts) throw badEnvToken();
    const [tokenRecord, keyRecord] = await readMany(this.deps.table, [this.tokens.ref(parts.userId, parts.tokenId), this.deps.sshKeys.ref(parts.userId)]);
    this.checkToken(parts, tokenRecord);
    const touch = this.touch(parts, tokenRecord);
    try {
      const hosts = await this.hosts();
      if (opts.hostsOnly) return hosts;
      const record = keyRecord ?? (await ensureUserKey(this.deps, parts.userId));
      return { privateKey: await this.privateKey(record), publicKey: record.publicKey, fingerprint: record.fingerprint, ...hosts };
    } finally {
      await touch;
    }
  }

  /**
   * The private key, or 409 `ssh_key_unreadable` when its ciphertext does not decrypt
   * under its owner's context (moved from another user's item, or the key lost):
   * a rotation replaces it, so the developer is told to rotate, never answered 500.
   */
  private async privateKey(record: SshKeyRecord): Promise<string> {
    try {
      return await privateKeyOf(this.deps, record);
    } catch (e) {
      if (!(e instanceof DecryptFailed)) throw e;
      log.warn('SSH private key does not decrypt under its own context', { userId: record.userId });
      throw new AppError('ssh_key_unreadable');
    }
  }

  /**
   * Throws 401 unless `token` is a live environment token (one read). For the
   * refusal paths only: a request that fails validation is answered 401 rather
   * than 400 when its token is bad, so a caller without a valid token learns
   * nothing about what the route accepts. The hot path checks the token in the
   * same BatchGetItem as the link instead.
   */
  async authenticate(token: string | undefined): Promise<void> {
    const parts = parseEnvToken(token);
    if (!parts) throw badEnvToken();
    this.checkToken(parts, await this.tokens.get(parts.userId, parts.tokenId));
  }

  /** Throws 401 unless the record exists, is unexpired (Table enforces `ttl`) and the secret matches. */
  private checkToken(parts: EnvTokenParts, record: EnvTokenRecord | undefined): void {
    if (!record || typeof record.secretHash !== 'string' || !secretMatches(parts.secret, record.secretHash)) throw badEnvToken();
  }

  /**
   * Host → provider from the cached list. Anything but a hit checks the token
   * first (a stranger must learn nothing about which hosts exist, nor force
   * reloads), then reloads the list once, so a provider just added is found.
   */
  private async matchHost(parts: EnvTokenParts, req: CredentialRequest): Promise<HostMatch & { movedFrom?: string }> {
    let m = await this.directory.match(req.protocol, req.host);
    if (!m.hit) {
      this.checkToken(parts, await this.tokens.get(parts.userId, parts.tokenId));
      m = await this.directory.match(req.protocol, req.host, true);
    }
    if (m.hit) return m.hit;
    // Never hand a token to plain http when the provider is served over https.
    if (m.wrongScheme) throw wrongScheme(req.host, schemeOf(m.wrongScheme.config));
    if (m.moved) return { ...m.moved, movedFrom: req.host };
    throw noProvider(req.host);
  }

  private async answer(target: HostMatch & { movedFrom?: string }, link: LinkRecord | undefined, origin: string): Promise<CredentialAnswer> {
    const { config, provider } = target;
    const username = providerType(config.type).gitUsername;
    if (username === undefined) throw sshOnly(config.id, config.displayName);
    if (target.movedFrom) {
      // The old host of a moved provider: never a token for it (a link made since is the new
      // host's). The developer who had a link is told where it went; anyone else had nothing there.
      if (link) throw relinkRequired(origin, config.id, config.displayName, MOVED, { movedTo: provider.gitHttpsHost(config) });
      throw noProvider(target.movedFrom);
    }
    if (!link) throw notLinked(origin, config.id, config.displayName);
    if (!hasTokens(link)) throw await this.retired(target, link, origin);
    try {
      return await this.serve(target, link, origin);
    } catch (e) {
      if (!(e instanceof DecryptFailed)) throw e;
      // The ciphertext is not this link's own (moved from another user's or provider's item:
      // its encryption context differs, ARCHITECTURE.md §5). Never served: the link must be made again.
      await this.markUnreadable(link);
      throw relinkRequired(origin, config.id, config.displayName, UNREADABLE);
    }
  }

  /**
   * A link retired by a provider move, asked for from a list cached before the move
   * (the old host still matches): reread the provider to name where it went.
   */
  private async retired({ config, provider }: HostMatch, link: LinkRecord, origin: string) {
    const now = (await this.deps.providers.get(config.id)) ?? config;
    const movedTo = provider.gitHttpsHost(now);
    return relinkRequired(origin, config.id, config.displayName, link.relinkReason ?? MOVED, movedTo !== provider.gitHttpsHost(config) ? { movedTo } : {});
  }

  private async serve(target: HostMatch, link: LinkRecord, origin: string): Promise<CredentialAnswer> {
    const { config, provider } = target;
    const username = providerType(config.type).gitUsername!;
    const fresh = await ensureFresh(
      this.deps,
      {
        provider,
        ctx: providerContext(this.deps, config, origin),
        gone: () => notLinked(origin, config.id, config.displayName),
        relink: (reason) => relinkRequired(origin, config.id, config.displayName, reason),
      },
      link,
      this.opts.refresh,
    );
    // A refresh that raced the provider's move returns the moved link: no token to hand out.
    if (!hasTokens(fresh.link)) throw relinkRequired(origin, config.id, config.displayName, fresh.link.relinkReason ?? MOVED);
    const password = fresh.accessToken ?? (await this.decrypt(fresh.link));
    if (fresh.accessToken) this.cache.set(fresh.link, fresh.accessToken);
    const expiry = fresh.link.expiresAt;
    return { username, password, ...(expiry !== undefined ? { password_expiry_utc: Math.floor(expiry / 1000) } : {}) };
  }

  /**
   * Best effort, under the version guard. Reread first: a refresh lease taken meanwhile moved
   * the version on; a link whose ciphertexts changed was relinked or refreshed, and is left alone.
   */
  private async markUnreadable(link: LinkRecord): Promise<void> {
    log.warn('link token does not decrypt under its own context', { providerId: link.providerId, userId: link.userId });
    try {
      const current = await this.deps.links.get(link.userId, link.providerId);
      if (!current || current.accessTokenCt !== link.accessTokenCt || current.refreshTokenCt !== link.refreshTokenCt) return;
      await this.deps.links.update(current.userId, current.providerId, current.version, {
        needsRelink: true,
        relinkReason: UNREADABLE,
        updatedAt: new Date(this.deps.now()).toISOString(),
      }, ['refreshLeaseUntil']);
    } catch (e) {
      if (!(e instanceof StaleVersion)) log.warn('could not mark the link for relinking', { providerId: link.providerId, error: e });
    }
  }

  /** The access token, from the per-container cache when the link is unchanged. */
  private async decrypt(link: LinkRecord & { accessTokenCt: string }): Promise<string> {
    const hit = this.cache.get(link);
    if (hit) return hit.accessToken;
    const token = (await this.deps.crypto.decrypt(link.accessTokenCt, tokenContext(link.userId, link.providerId, 'accessToken'))).toString('utf8');
    this.cache.set(link, token);
    return token;
  }

  private async hosts(): Promise<Pick<EnvSshKeyAnswer, 'sshHosts' | 'httpsHosts'>> {
    const ssh = new Set<string>();
    const https = new Set<string>();
    for (const config of await this.directory.list()) {
      let provider;
      try {
        provider = this.directory.providerFor(config.type);
      } catch {
        continue;
      }
      ssh.add(provider.sshHost(config));
      if (providerType(config.type).capabilities.gitHttps) https.add(`${schemeOf(config)}://${provider.gitHttpsHost(config)}`);
    }
    return { sshHosts: [...ssh].sort(), httpsHosts: [...https].sort() };
  }

  /**
   * Records use, at most once per `touchEveryMs` per token; never fails the request.
   * The token record was just read, so a `lastUsedAt` recent enough (another
   * container wrote it) saves the write too: a new container's first fetch stays
   * at BatchGetItem + provider list + Decrypt (README, Performance).
   */
  private async touch(parts: EnvTokenParts, record: EnvTokenRecord | undefined): Promise<void> {
    const key = `${parts.userId}\u0000${parts.tokenId}`;
    const now = this.deps.now();
    // The latest use known: this container's own write, or the stored one (a future time, clock skew, is ignored).
    const stored = typeof record?.lastUsedAt === 'string' ? Date.parse(record.lastUsedAt) : NaN;
    const last = Math.max(this.touched.get(key) ?? -Infinity, stored <= now ? stored : -Infinity);
    if (now - last < this.touchEveryMs) return;
    this.touched.set(key, now);
    if (this.touched.size > 10_000) this.touched.delete(this.touched.keys().next().value as string);
    try {
      await this.tokens.touch(parts.userId, parts.tokenId, new Date(now), this.touchEveryMs);
    } catch (e) {
      log.warn('could not record token use', { error: e });
    }
  }
}

