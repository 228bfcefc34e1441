/**
 * Token refresh, single-flight across containers (ARCHITECTURE.md §3 "Credential fetch" step 4).
 *
 * The lock is the link item itself: a conditional update on `version` sets a
 * short lease (`refreshLeaseUntil`). Exactly one caller wins it and calls the
 * provider; the others wait with bounded, jittered backoff and reread. No
 * in-memory single-flight is used: it could not coordinate two Lambda
 * containers, and it would hide a broken lease in tests.
 *
 * Rules learned from peers' bugs:
 * - the refreshed tokens are saved before anything else can fail (Coder #23473);
 * - an answer without `refresh_token` keeps the old one (Nango #298; oauth2.ts does it,
 *   and the save below never removes `refreshTokenCt`);
 * - `invalid_grant` after another caller already rotated the token means reread, not give up;
 * - the refresh token is sent once per request: the provider's answer is the only copy of the
 *   rotated one, so the winner waits for it longer than for other calls, keeps its lease alive
 *   meanwhile, and never resends after a timeout (ARCHITECTURE.md §3, "Refresh token rotation").
 */
import { providerType } from '../contract/provider-types';
import type { Crypto } from '../crypto/port';
import type { Events } from '../events/events';
import { AppError } from '../errors';
import { tokenContext, encryptTokens } from './tokens';
import { log } from '../log';
import { ProviderError } from '../providers/http';
import type { Provider, ProviderContext, TokenSet } from '../providers/types';
import { refreshDueAt } from '../store/refresh-due';
import { fromLinkItem, type LinkRecord, type LinkStore } from '../store/links';

/** The provider did not answer a refresh in time: a 502 the caller may retry. */
const providerUnavailable = (detail: string, cause?: unknown) =>
  new AppError('provider_unavailable', 'The provider did not answer; try again shortly.', { detail, cause });
import { StaleVersion } from '../store/table';

/**
 * The longest `Retry-After` a refresh waits for (docs/FAULTS.md). A provider asking for longer
 * gets no further attempt from this request: it answers 502 at once instead of hammering.
 */
export const RETRY_AFTER_CAP_MS = 5_000;

/** A refresh waits this many provider timeouts for its answer (20 s by default), within the request's budget. */
export const REFRESH_TIMEOUT_FACTOR = 2;

/** ARCHITECTURE.md §3: refresh when the token expires within 5 minutes. */
export const REFRESH_WINDOW_MS = 5 * 60_000;

/**
 * Errors that say the grant itself is dead (RFC 6749 §5.2 `invalid_grant`).
 * Providers that use other words map them in their own file (github.ts: `bad_refresh_token`).
 */
const DEAD_GRANT = new Set(['invalid_grant', 'invalid_token', 'access_denied']);

export interface RefreshOptions {
  /** Lease length. Default: the provider timeout + 2 s; the winner renews it every third of that while it waits for the provider. */
  leaseMs?: number;
  /** How long one request may spend on refreshing (winner) or waiting (loser). API Gateway stops at 30 s. */
  budgetMs?: number;
  /** Provider attempts on a 5xx / 429 answer (a timeout or a broken connection is not retried). */
  attempts?: number;
  retryBaseMs?: number;
  /** Loser backoff: from `pollMinMs`, doubling to `pollMaxMs`, with jitter. */
  pollMinMs?: number;
  pollMaxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Who refreshes, for the `token.refreshed` / `token.refresh_failed` events. Default: `credential`. */
  trigger?: 'credential' | 'schedule' | 'provider_call';
  /** Whether the link must be refreshed now. Default `needsRefresh`; the schedule asks whether its refresh is due. */
  due?: (link: LinkRecord, now: number) => boolean;
}

export interface RefreshDeps {
  links: LinkStore;
  crypto: Crypto;
  now: () => number;
  /** Lifecycle events (docs/events.md); absent in tests that only exercise the lease. */
  events?: Pick<Events, 'emit'>;
}

export interface RefreshTarget {
  provider: Provider;
  ctx: ProviderContext;
  /** Thrown when the link disappears mid-flight (unlinked). */
  gone: () => Error;
  /** Thrown for a dead grant, with the reason kept on the link. */
  relink: (reason: string) => Error;
}

export interface Fresh {
  link: LinkRecord;
  /** Set when this caller refreshed: the plaintext, so no decrypt is needed. */
  accessToken?: string;
}

/**
 * Refresh when the token expires within 5 minutes (ARCHITECTURE.md §3). One exception: a
 * token that a refresh just produced, from a provider whose tokens live less
 * than the window, is used until half its lifetime has passed. Otherwise every
 * fetch would refresh again, and the callers that waited for a refresh would
 * each start another one.
 */
export function needsRefresh(link: Pick<LinkRecord, 'expiresAt' | 'refreshedAt'>, now: number): boolean {
  if (link.expiresAt === undefined) return false;
  const lifetime = link.refreshedAt !== undefined ? link.expiresAt - link.refreshedAt : Infinity;
  return link.expiresAt - now <= Math.min(REFRESH_WINDOW_MS, lifetime / 2);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const transient = (e: unknown) => e instanceof ProviderError && e.transient;
/**
 * The provider answered 5xx or 429: it issued nothing, so the same refresh token may be sent
 * again. After a timeout or a broken connection the request may have reached it and rotated
 * the token (RFC 9700 §4.14.2; GitLab refuses a used one), so it is not sent again.
 */
const answeredRetryable = (e: unknown) => e instanceof ProviderError && e.kind === 'transient';
const deadGrant = (e: unknown) => e instanceof ProviderError && e.kind === 'refused' && DEAD_GRANT.has(e.oauthError ?? '');

/** Returns a link whose token is good for more than the refresh window, refreshing it if needed. */
export async function ensureFresh(deps: RefreshDeps, target: RefreshTarget, link: LinkRecord, opts: RefreshOptions = {}): Promise<Fresh> {
  const o = settings(opts, target.ctx.timeoutMs);
  const deadline = deps.now() + o.budgetMs;
  let current = link;
  let poll = o.pollMinMs;
  for (;;) {
    const now = deps.now();
    if (current.needsRelink) throw target.relink(current.relinkReason ?? 'needs_relink');
    if (!o.due(current, now)) return { link: current };
    if (!current.refreshTokenCt || !providerType(target.provider.type).capabilities.refresh || !target.provider.refresh) {
      // Nothing to refresh with: hand the token out until it really expires.
      if (current.expiresAt! <= now) throw target.relink('token_expired');
      return { link: current };
    }
    // Every path is bounded by the budget: a table slower than the lease lets callers take the
    // lease over from each other, and none of them may go on past its request's time.
    if (now >= deadline) throw providerUnavailable('the refresh did not settle within its budget');
    if (!current.refreshLeaseUntil || current.refreshLeaseUntil <= now) {
      const won = await takeLease(deps, current, now + o.leaseMs);
      if (won.kind === 'won') {
        const out = await refreshAsWinner(deps, target, won.link, o, deadline);
        if (out) return out;
      }
      current = won.kind === 'lost' && won.current ? won.current : await reread(deps, current, target);
      continue;
    }
    // Another caller holds the lease: wait for it, then reread (RFC-free: ARCHITECTURE.md §3 "losers wait … then reread").
    await o.sleep(Math.min(poll * (0.5 + Math.random() / 2), Math.max(1, deadline - now)));
    poll = Math.min(poll * 2, o.pollMaxMs);
    current = await reread(deps, current, target);
  }
}

function settings(o: RefreshOptions, timeoutMs: number) {
  return {
    leaseMs: o.leaseMs ?? timeoutMs + 2_000,
    budgetMs: o.budgetMs ?? 20_000,
    attempts: o.attempts ?? 3,
    retryBaseMs: o.retryBaseMs ?? 200,
    pollMinMs: o.pollMinMs ?? 25,
    pollMaxMs: o.pollMaxMs ?? 500,
    sleep: o.sleep ?? defaultSleep,
    trigger: o.trigger ?? 'credential',
    due: o.due ?? needsRefresh,
  };
}
type Settings = ReturnType<typeof settings>;

async function reread(deps: RefreshDeps, link: LinkRecord, target: RefreshTarget): Promise<LinkRecord> {
  const fresh = await deps.links.get(link.userId, link.providerId);
  if (!fresh) throw target.gone();
  return fresh;
}

/** The conditional write that makes one caller the refresher. */
async function takeLease(deps: RefreshDeps, link: LinkRecord, until: number): Promise<{ kind: 'won'; link: LinkRecord } | { kind: 'lost'; current?: LinkRecord }> {
  try {
    return { kind: 'won', link: await deps.links.update(link.userId, link.providerId, link.version, { refreshLeaseUntil: until }) };
  } catch (e) {
    if (!(e instanceof StaleVersion)) throw e;
    return { kind: 'lost', ...(e.existing ? { current: fromLinkItem(e.existing) } : {}) };
  }
}

/** Best effort: a lease left behind only delays the next refresher until it runs out. */
async function releaseLease(deps: RefreshDeps, leased: LinkRecord): Promise<void> {
  await deps.links.update(leased.userId, leased.providerId, leased.version, {}, ['refreshLeaseUntil']).catch(() => undefined);
}

/**
 * Runs the provider call while renewing the lease every third of its length, so no other
 * caller sends the same refresh token while this one still waits for the answer, however slow
 * the provider is. At most one renewal is in flight (a slow table skips ticks rather than
 * queueing them); the last one is awaited, so the save starts from the newest version and no
 * write outlives the request. A renewal that loses (the link changed) is left: saveTokens sorts it out.
 */
async function holdingLease<T>(deps: RefreshDeps, lease: { link: LinkRecord }, o: Settings, call: () => Promise<T>): Promise<T> {
  let renewal: Promise<void> | undefined;
  const renew = () => {
    renewal ??= takeLease(deps, lease.link, deps.now() + o.leaseMs)
      .then((r) => {
        if (r.kind === 'won') lease.link = r.link;
      }, () => undefined)
      .finally(() => (renewal = undefined));
  };
  const timer = setInterval(renew, Math.max(1, o.leaseMs / 3));
  try {
    return await call();
  } finally {
    clearInterval(timer);
    await renewal;
  }
}

/** Returns the fresh link, or `undefined` when the caller must reread (someone else took over). */
async function refreshAsWinner(deps: RefreshDeps, target: RefreshTarget, leased: LinkRecord, o: Settings, deadline: number): Promise<Fresh | undefined> {
  let held = leased;
  try {
    const refreshToken = (await deps.crypto.decrypt(held.refreshTokenCt!, tokenContext(held.userId, held.providerId, 'refreshToken'))).toString('utf8');
    for (let attempt = 1; ; attempt++) {
      let tokens: TokenSet;
      try {
        // The answer carries the only copy of the rotated refresh token: wait for it twice as long
        // as for any other provider call, but never past this request's budget (unlink's is 8 s:
        // its key delete, revoke and link delete must still fit in the function's time).
        const ctx = { ...target.ctx, timeoutMs: Math.max(1, Math.min(REFRESH_TIMEOUT_FACTOR * target.ctx.timeoutMs, deadline - deps.now())) };
        const lease = { link: held };
        try {
          tokens = await holdingLease(deps, lease, o, () => target.provider.refresh!(ctx, refreshToken));
        } finally {
          held = lease.link;
        }
      } catch (e) {
        if (transient(e)) {
          // Never sooner than the provider asked (Retry-After), and never longer than the cap.
          const asked = (e as ProviderError).retryAfterMs ?? 0;
          const wait = Math.max(o.retryBaseMs * 2 ** (attempt - 1), asked);
          if (!answeredRetryable(e) || attempt >= o.attempts || asked > RETRY_AFTER_CAP_MS || deps.now() + wait + target.ctx.timeoutMs > deadline) {
            await releaseLease(deps, held);
            await deps.events?.emit('token.refresh_failed', { subjectUserId: held.userId, providerId: held.providerId, detail: { trigger: o.trigger, reason: (e as ProviderError).code, permanent: false } });
            throw providerUnavailable(`refresh failed ${attempt} times: ${(e as ProviderError).code}`, e);
          }
          await o.sleep(wait);
          // Renew, so the lease covers the next attempt; losing it means someone else took over.
          const renewed = await takeLease(deps, held, deps.now() + o.leaseMs);
          if (renewed.kind === 'lost') return undefined;
          held = renewed.link;
          continue;
        }
        if (deadGrant(e)) return await markDead(deps, target, held, (e as ProviderError).oauthError!, o.trigger);
        await releaseLease(deps, held);
        throw e;
      }
      // Saved first: the provider has already spent the old refresh token.
      const fresh = await saveTokens(deps, target, leased, held, tokens, deadline);
      const expiresAt = fresh.link.expiresAt !== undefined ? { expiresAt: new Date(fresh.link.expiresAt).toISOString() } : {};
      await deps.events?.emit('token.refreshed', { subjectUserId: held.userId, providerId: held.providerId, detail: { trigger: o.trigger, ...expiresAt } });
      return fresh;
    }
  } catch (e) {
    if (!(e instanceof AppError) && !(e instanceof StaleVersion)) await releaseLease(deps, held);
    throw e;
  }
}

/**
 * A refused grant. If the link changed since our lease, another caller rotated
 * (or relinked) it and the refusal is about a token that is already gone:
 * reread. Otherwise the grant is dead: mark the link and keep the reason.
 */
async function markDead(deps: RefreshDeps, target: RefreshTarget, held: LinkRecord, providerError: string, trigger: Settings['trigger']): Promise<Fresh | undefined> {
  // The provider's word is shown to clients: keep it to an RFC 6749 §5.2 error code.
  const reason = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(providerError) ? providerError : 'refused';
  // The conditional write on our version is the check: a newer version means another
  // caller rotated or relinked it, and the refusal concerns a token already gone.
  try {
    // No proactive refresh for a dead grant: nothing would work until the developer links again.
    await deps.links.update(held.userId, held.providerId, held.version, {
      needsRelink: true,
      relinkReason: reason,
      updatedAt: new Date(deps.now()).toISOString(),
    }, ['refreshLeaseUntil', 'refreshDueAt']);
  } catch (e) {
    if (e instanceof StaleVersion) return undefined;
    throw e;
  }
  log.warn('link needs relinking', { providerId: held.providerId, userId: held.userId, reason });
  const about = { subjectUserId: held.userId, providerId: held.providerId };
  await deps.events?.emit('token.refresh_failed', { ...about, detail: { trigger, reason, permanent: true } });
  await deps.events?.emit('link.relink_required', { ...about, detail: { reason } });
  throw target.relink(reason);
}

function dueFrom(provider: Provider, now: number): Partial<LinkRecord> {
  const due = refreshDueAt(provider, true, now);
  return due !== undefined ? { refreshDueAt: due } : {};
}

async function saveTokens(deps: RefreshDeps, target: RefreshTarget, before: LinkRecord, held: LinkRecord, tokens: TokenSet, deadline: number): Promise<Fresh> {
  const set: Partial<LinkRecord> = {
    ...(await encryptTokens(deps.crypto, held.userId, held.providerId, tokens)),
    ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt, refreshedAt: deps.now() } : {}),
    ...(tokens.scopes?.length ? { scopes: tokens.scopes } : {}),
    // The refresh token was just issued (or kept): the next proactive refresh counts from now.
    ...dueFrom(target.provider, deps.now()),
    updatedAt: new Date(deps.now()).toISOString(),
  };
  // Never remove refreshTokenCt: an answer without one keeps the old (Nango #298).
  // A successful refresh proves the grant alive: clear a relink mark that a caller
  // refused with our just-spent refresh token may have set meanwhile.
  const remove: Array<keyof LinkRecord> = [
    'refreshLeaseUntil',
    'needsRelink',
    'relinkReason',
    ...(tokens.expiresAt === undefined ? (['expiresAt', 'refreshedAt'] as const) : []),
  ];
  let base = held;
  // These tokens are the only live ones: keep trying while the link changes under us (lease
  // takeovers bump its version), at least 5 times and then until the budget runs out.
  for (let i = 0; i < 5 || deps.now() < deadline; i++) {
    try {
      const saved = await deps.links.update(base.userId, base.providerId, base.version, set, remove);
      log.info('token refreshed', { providerId: saved.providerId, userId: saved.userId, version: saved.version });
      return { link: saved, accessToken: tokens.accessToken };
    } catch (e) {
      if (!(e instanceof StaleVersion)) throw e;
      // Our lease ran out and someone wrote meanwhile. If they saved no newer tokens,
      // ours are the only live ones (the provider rotated the old pair when it answered us).
      const existing = e.existing ? fromLinkItem(e.existing) : await deps.links.get(base.userId, base.providerId);
      if (!existing) throw target.gone();
      if (existing.accessTokenCt !== before.accessTokenCt || existing.refreshTokenCt !== before.refreshTokenCt) return { link: existing };
      base = existing;
    }
  }
  throw providerUnavailable('the link kept changing while saving refreshed tokens');
}
