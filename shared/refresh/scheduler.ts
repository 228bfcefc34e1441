/**
 * The scheduled refresh (`refresh-scheduler` function, every 6 hours): refreshes every
 * link whose proactive refresh is due (shared/store/refresh-due.ts), so an idle developer's
 * refresh token does not die.
 *
 * - It finds them by Query on gsi2, one partition per due day, oldest first: never a scan.
 * - It refreshes through `ensureFresh`, the credential path's own single-flight refresh
 *   (the lease on the link's version), so it never races a developer's git operation.
 * - It works in bounded batches and stops starting new ones when its time budget is
 *   spent. The index is its bookmark: a refreshed link moves to a later day, so the next
 *   run starts with what this one did not reach.
 * - A permanent refusal marks the link `relink_required` with the reason (ensureFresh does
 *   it, and emits the events); a transient failure is tried again at the next run.
 * - Each run first continues the one-time catch-up that gives links older than the schedule
 *   their due date (shared/refresh/catch-up.ts), so those already idle too long are refreshed
 *   by the same run.
 */
import type { Deps } from '../deps';
import { ensureFresh, type RefreshOptions } from '../credentials/refresh';
import { AppError } from '../http/errors';
import { log } from '../log';
import { providerContext } from '../credentials/provider-context';
import { providerFor } from '../providers';
import type { ProviderConfig } from '../providers/types';
import { keys } from '../store/schema';
import { fromLinkItem, type LinkRecord } from '../store/links';
import { StaleVersion } from '../store/table';
import { dueDay } from '../store/refresh-due';
import { catchUpDueDates } from './catch-up';

const DAY_MS = 86_400_000;
/** How far back due days are read: a run that never came for this long finds them still. */
export const LOOKBACK_DAYS = 30;
/** A transient failure is due again at the next run. */
export const RETRY_AFTER_MS = 6 * 3_600_000;

export interface ScheduleOptions {
  /** The public origin: OAuth 2.0 refreshes of GitLab and Bitbucket DC must send the callback URL. */
  origin: string;
  /** No new batch starts after this many ms. */
  budgetMs: number;
  batchSize?: number;
  /** Refreshes in flight at once within a batch. */
  concurrency?: number;
  /** Due days read back from today (default LOOKBACK_DAYS). */
  lookbackDays?: number;
  /** Passed to ensureFresh (tests shorten retries). */
  refresh?: RefreshOptions;
}

export interface ScheduleReport {
  /** Old links given a due date by the catch-up in this run. */
  caughtUp: number;
  /** Links found due. */
  due: number;
  refreshed: number;
  relinkRequired: number;
  /** Transient failures, due again at the next run. */
  failed: number;
  /** Refreshed meanwhile by someone else, unlinked, or of a deleted provider. */
  skipped: number;
  /** The budget ran out before every due link was reached. */
  stoppedEarly: boolean;
}

type Outcome = 'refreshed' | 'relinkRequired' | 'failed' | 'skipped';

const isDue = (link: LinkRecord, now: number) => link.refreshDueAt !== undefined && link.refreshDueAt <= now;

export async function runScheduledRefresh(deps: Deps, opts: ScheduleOptions): Promise<ScheduleReport> {
  const started = deps.now();
  const batchSize = opts.batchSize ?? 25;
  const concurrency = opts.concurrency ?? 5;
  const report: ScheduleReport = { caughtUp: 0, due: 0, refreshed: 0, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false };
  const providers = new Map<string, Promise<ProviderConfig | undefined>>();
  const configOf = (id: string) => providers.get(id) ?? providers.set(id, deps.providers.get(id)).get(id)!;

  report.caughtUp = (await catchUpDueDates(deps, { budgetMs: opts.budgetMs })).scheduled;
  // Due as of now, after the catch-up: a link it made due now is due for this run.
  const asOf = deps.now();

  for (let day = asOf - (opts.lookbackDays ?? LOOKBACK_DAYS) * DAY_MS; dueDay(day) <= dueDay(asOf); day += DAY_MS) {
    let startKey: Record<string, string> | undefined;
    do {
      const page = await deps.table.queryPage({ index: 'gsi2', pk: keys.refreshDue(dueDay(day)), ascending: true, limit: batchSize, ...(startKey ? { startKey } : {}) });
      const due = page.items.map(fromLinkItem).filter((l) => isDue(l, asOf));
      for (let i = 0; i < due.length; i += concurrency) {
        // The budget is checked before each group: one started is always finished (each refresh is bounded by its own budget).
        if (deps.now() - started >= opts.budgetMs) {
          report.stoppedEarly = true;
          return finish(report);
        }
        const group = due.slice(i, i + concurrency);
        report.due += group.length;
        for (const o of await Promise.all(group.map((l) => refreshOne(deps, opts, l, configOf)))) report[o]++;
      }
      startKey = page.lastKey;
    } while (startKey);
  }
  return finish(report);
}

function finish(report: ScheduleReport): ScheduleReport {
  log.info('scheduled refresh finished', { ...report });
  return report;
}

async function refreshOne(deps: Deps, opts: ScheduleOptions, link: LinkRecord, configOf: (id: string) => Promise<ProviderConfig | undefined>): Promise<Outcome> {
  const config = await configOf(link.providerId);
  if (!config) return 'skipped';
  const gone = new AppError('not_linked', 'The link was removed meanwhile.');
  try {
    const fresh = await ensureFresh(
      deps,
      {
        provider: providerFor(config.type),
        ctx: providerContext(deps, config, opts.origin),
        gone: () => gone,
        relink: (reason) => new AppError('relink_required', `The link needs relinking (${reason}).`),
      },
      link,
      { ...opts.refresh, trigger: 'schedule', due: isDue },
    );
    return fresh.accessToken ? 'refreshed' : 'skipped';
  } catch (e) {
    if (e === gone) return 'skipped';
    if (e instanceof AppError && e.code === 'relink_required') {
      // Marked earlier (unreadable ciphertext, say) and still scheduled: nothing to refresh until it is linked again.
      await unschedule(deps, link);
      return 'relinkRequired';
    }
    log.warn('scheduled refresh failed; trying again at the next run', { providerId: link.providerId, userId: link.userId, error: e });
    await retryLater(deps, link);
    return 'failed';
  }
}

/** Takes a link that needs relinking off the schedule (best effort, under the version guard). */
async function unschedule(deps: Deps, link: LinkRecord): Promise<void> {
  const current = await deps.links.get(link.userId, link.providerId);
  if (!current?.needsRelink || current.refreshDueAt === undefined) return;
  await deps.links.update(current.userId, current.providerId, current.version, {}, ['refreshDueAt']).catch((e: unknown) => {
    if (!(e instanceof StaleVersion)) throw e;
  });
}

/** Moves the link to the next run's bucket (best effort: a link changed meanwhile is left as it is). */
async function retryLater(deps: Deps, link: LinkRecord): Promise<void> {
  const current = await deps.links.get(link.userId, link.providerId);
  if (!current || !isDue(current, deps.now())) return;
  await deps.links.update(current.userId, current.providerId, current.version, { refreshDueAt: deps.now() + RETRY_AFTER_MS }).catch((e: unknown) => {
    if (!(e instanceof StaleVersion)) throw e;
  });
}
