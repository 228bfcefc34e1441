/**
 * Audit items: every lifecycle event, kept 400 days in the one table (ARCHITECTURE.md §4).
 *
 * Keys (all sorted by `{time}#{eventId}`, so a Query runs newest first):
 * - table: `AUDIT#{yyyy-mm}`: every event, one partition per UTC month;
 * - gsi1:  `AUDIT#USER#{subjectUserId}`: one developer's events;
 * - gsi2:  `AUDIT#PROVIDER#{providerId}`: one provider's events.
 * Every read is a Query on one of them, never a scan. The cursor is the last answered
 * sort key: the full start key is rebuilt from it, so a client cannot point a Query anywhere else.
 */
import { keys, tableSchema } from '../store/schema';
import type { Table } from '../store/table';
import type { GitlinkEvent } from './schema';

export const AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

/** `{ISO time}#{event id}`: the sort key of an audit item, and what a cursor carries. */
export const AUDIT_SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9]{20,32}$/;

const sortKey = (e: GitlinkEvent) => `${e.time}#${e.id}`;
const monthOf = (isoOrSortKey: string) => isoOrSortKey.slice(0, 7);

export function toAuditItem(e: GitlinkEvent) {
  const sk = sortKey(e);
  return {
    pk: keys.auditMonth(monthOf(e.time)),
    sk,
    ...(e.subjectUserId ? { gsi1pk: keys.auditOfUser(e.subjectUserId), gsi1sk: sk } : {}),
    ...(e.providerId ? { gsi2pk: keys.auditOfProvider(e.providerId), gsi2sk: sk } : {}),
    // Top level too: the filter of a developer's Query by provider reads it here.
    ...(e.providerId ? { providerId: e.providerId } : {}),
    [tableSchema.ttlAttribute]: Math.floor((Date.parse(e.time) + AUDIT_RETENTION_DAYS * DAY_MS) / 1000),
    event: e,
  };
}

export interface AuditQuery {
  user?: string;
  provider?: string;
  /** ISO time: only events at or after it. */
  since: string;
  /** The sort key of the last item of the previous page. */
  after?: string;
  limit: number;
  /** Epoch ms: where an unfiltered listing starts (the current month). */
  now: number;
}

type Where = { index?: 'gsi1' | 'gsi2'; pk: string; filter?: { name: string; value: string } };

export class AuditStore {
  constructor(private readonly table: Table) {}

  async put(e: GitlinkEvent): Promise<void> {
    await this.table.put(toAuditItem(e));
  }

  /** One page, newest first; `last` is the sort key to continue after, when there may be more. */
  async page(q: AuditQuery): Promise<{ events: GitlinkEvent[]; last?: string }> {
    if (q.user) {
      // A developer's events are few: their provider is a Query filter, not another index.
      return this.collect({ index: 'gsi1', pk: keys.auditOfUser(q.user), ...(q.provider ? { filter: { name: 'providerId', value: q.provider } } : {}) }, q, q.limit);
    }
    if (q.provider) return this.collect({ index: 'gsi2', pk: keys.auditOfProvider(q.provider) }, q, q.limit);
    // Everything: month partitions, from the cursor's (or this) month back to the one of `since`.
    const events: GitlinkEvent[] = [];
    let month = q.after ? monthOf(q.after) : monthOf(new Date(q.now).toISOString());
    let after = q.after;
    while (month >= monthOf(q.since)) {
      const { after: _cursor, ...rest } = q;
      const got = await this.collect({ pk: keys.auditMonth(month) }, { ...rest, ...(after ? { after } : {}) }, q.limit - events.length);
      events.push(...got.events);
      if (got.last || events.length >= q.limit) return { events, ...(events.length ? { last: sortKey(events.at(-1)!) } : {}) };
      month = previousMonth(month);
      after = undefined;
    }
    return { events };
  }

  private async collect(where: Where, q: AuditQuery, need: number): Promise<{ events: GitlinkEvent[]; last?: string }> {
    const events: GitlinkEvent[] = [];
    let startKey = q.after ? this.startKey(where, q.after) : undefined;
    // A filtered Query may answer short pages: keep reading until the page is full.
    for (;;) {
      const page = await this.table.queryPage<{ pk: string; sk: string; event: GitlinkEvent }>({
        ...where,
        skAfter: q.since,
        limit: need - events.length,
        ...(startKey ? { startKey } : {}),
      });
      events.push(...page.items.map((i) => i.event));
      if (!page.lastKey) return { events };
      if (events.length >= need) return { events, last: sortKey(events.at(-1)!) };
      startKey = page.lastKey;
    }
  }

  /** The full key of the item with sort key `sk` (table and index attributes): what DynamoDB asks of ExclusiveStartKey. */
  private startKey(where: Where, sk: string): Record<string, string> {
    const base = { pk: keys.auditMonth(monthOf(sk)), sk };
    if (!where.index) return base;
    const g = tableSchema[where.index];
    return { ...base, [g.partitionKey]: where.pk, [g.sortKey]: sk };
  }
}

function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
