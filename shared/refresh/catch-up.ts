/**
 * The one-time due-date catch-up. Links written before the scheduled refresh existed have
 * no `refreshDueAt`, so they are in no due-day partition of gsi2 and the schedule would
 * never find them. This gives each of them the due date it would have had, counted from
 * when its refresh token was last issued; a link already idle past it is due now.
 *
 * - It never scans: it walks the providers (gsi1 `PROVIDERS`) and each one's links (gsi1
 *   `LINKS#{providerId}`), one bounded page at a time.
 * - It is resumable: a bookmark item (`keys.refreshCatchUp`) holds the provider and the
 *   page key reached, written after every page; once every provider is walked it says
 *   done, and from then on a run costs one GetItem.
 * - It is idempotent: it touches only a link that has tokens, is not waiting for a relink,
 *   and has no due date although its provider's policy gives it one. Every write since
 *   the schedule exists sets one, so a second walk changes nothing.
 *
 * The scheduled refresh runs it first, within its own budget (shared/refresh/scheduler.ts).
 */
import type { Deps } from '../deps';
import { providerFor } from '../providers';
import type { Provider } from '../providers/types';
import { fromLinkItem, hasTokens, type LinkRecord } from '../store/links';
import { refreshDueAt } from '../store/refresh-due';
import { keys } from '../store/schema';
import { StaleVersion, type Item } from '../store/table';

interface Bookmark {
  done: boolean;
  /** The provider being walked, and the gsi1 key its next page starts after. */
  providerId?: string;
  startKey?: Record<string, string>;
  updatedAt: string;
}

export interface CatchUpOptions {
  /** No new page starts after this many ms. */
  budgetMs: number;
  pageSize?: number;
  /** Link updates in flight at once. */
  concurrency?: number;
}

export interface CatchUpReport {
  /** Links given a due date by this run. */
  scheduled: number;
  /** Every provider's links have been walked (by this run or an earlier one). */
  done: boolean;
}

/** The due date an old link should have, or undefined if it needs none or has one. */
export function missingDueAt(provider: Pick<Provider, 'refreshTokens'>, link: LinkRecord, now: number): number | undefined {
  if (link.refreshDueAt !== undefined || link.needsRelink || !hasTokens(link)) return undefined;
  // Being refreshed right now: leave it to that refresh, whose save sets the due date. A write
  // here would bump the version under the lease holder and cost it its lease renewal. Only a
  // link in use holds a lease, and its next refresh dates it, so the walk loses no idle link.
  if (link.refreshLeaseUntil !== undefined && link.refreshLeaseUntil > now) return undefined;
  const issuedAt = link.refreshedAt ?? Date.parse(link.linkedAt);
  const due = refreshDueAt(provider, !!link.refreshTokenCt, Number.isFinite(issuedAt) ? issuedAt : now);
  // Idle past its threshold: due now, in today's partition, where the next query looks.
  return due === undefined ? undefined : Math.max(due, now);
}

export async function catchUpDueDates(deps: Deps, opts: CatchUpOptions): Promise<CatchUpReport> {
  const started = deps.now();
  const pageSize = opts.pageSize ?? 100;
  const concurrency = opts.concurrency ?? 10;
  const report: CatchUpReport = { scheduled: 0, done: false };
  const mark = await deps.table.get<Bookmark & Item>(keys.refreshCatchUp);
  if (mark?.done) return { ...report, done: true };
  const save = (b: Omit<Bookmark, 'updatedAt'>) => deps.table.put({ ...keys.refreshCatchUp, ...b, updatedAt: new Date(deps.now()).toISOString() });

  // Sorted by id, so the bookmark's provider says which are behind it (one deleted meanwhile is simply passed).
  for (const config of await deps.providers.list()) {
    if (mark?.providerId !== undefined && config.id < mark.providerId) continue;
    const provider = providerFor(config.type);
    let startKey = mark?.providerId === config.id ? mark.startKey : undefined;
    do {
      if (deps.now() - started >= opts.budgetMs) {
        await save({ done: false, providerId: config.id, ...(startKey ? { startKey } : {}) });
        return report;
      }
      const page = await deps.table.queryPage({ index: 'gsi1', pk: keys.linksOfProvider(config.id), ascending: true, limit: pageSize, ...(startKey ? { startKey } : {}) });
      const links = page.items.map(fromLinkItem);
      for (let i = 0; i < links.length; i += concurrency) {
        const wrote = await Promise.all(links.slice(i, i + concurrency).map((l) => schedule(deps, provider, l)));
        report.scheduled += wrote.filter(Boolean).length;
      }
      startKey = page.lastKey;
      if (startKey) await save({ done: false, providerId: config.id, startKey });
    } while (startKey);
  }
  await save({ done: true });
  return { ...report, done: true };
}

/**
 * Gives one link its due date, under the version guard. The index copy may be stale (gsi1
 * is eventually consistent): a lost race rereads the link and decides again.
 */
async function schedule(deps: Deps, provider: Provider, seen: LinkRecord): Promise<boolean> {
  let link: LinkRecord | undefined = seen;
  for (let attempt = 0; link && attempt < 3; attempt++) {
    const dueAt = missingDueAt(provider, link, deps.now());
    if (dueAt === undefined) return false;
    try {
      await deps.links.update(link.userId, link.providerId, link.version, { refreshDueAt: dueAt });
      return true;
    } catch (e) {
      if (!(e instanceof StaleVersion)) throw e;
      link = await deps.links.get(seen.userId, seen.providerId);
    }
  }
  // Still changing after three tries: a refresh in progress sets the due date itself.
  return false;
}
