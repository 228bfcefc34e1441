/**
 * When a link's refresh is due ahead of time (issue 14 "Idle refresh tokens die"): before
 * its refresh token would expire unused (GitHub App 6 months, Bitbucket Data Center 90
 * days), with 14 days to spare, and at least every 30 days for a provider whose refresh
 * tokens rotate. The scheduled refresh (shared/refresh/scheduler.ts) finds due links through gsi2,
 * keyed by the due day, so it never scans.
 */
import type { Provider } from '../providers/types';
import { keys } from './schema';

const DAY_MS = 86_400_000;
/** Refresh this long before a refresh token would expire. */
export const EXPIRY_MARGIN_MS = 14 * DAY_MS;
/** A rotating provider's link is refreshed at least this often. */
export const ROTATING_MAX_AGE_MS = 30 * DAY_MS;

/** Epoch ms of the next proactive refresh, counted from the last time the refresh token was issued; undefined: none. */
export function refreshDueAt(provider: Pick<Provider, 'refreshTokens'>, hasRefreshToken: boolean, issuedAt: number): number | undefined {
  const policy = provider.refreshTokens;
  if (!policy || !hasRefreshToken) return undefined;
  const candidates = [
    ...(policy.lifetimeMs !== undefined ? [issuedAt + policy.lifetimeMs - EXPIRY_MARGIN_MS] : []),
    ...(policy.rotates ? [issuedAt + ROTATING_MAX_AGE_MS] : []),
  ];
  return candidates.length ? Math.max(issuedAt, Math.min(...candidates)) : undefined;
}

/** `yyyy-mm-dd` (UTC) of an epoch ms. */
export const dueDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The gsi2 attributes of a link due at `dueAt`: one partition per day, sorted by due time. */
export const dueIndex = (userId: string, providerId: string, dueAt: number) => ({
  gsi2pk: keys.refreshDue(dueDay(dueAt)),
  gsi2sk: `${new Date(dueAt).toISOString()}#${userId}#${providerId}`,
});
