/**
 * `GET /v1/admin/audit?user=&provider=&since=&cursor=&limit=`: audit items for admins,
 * newest first, one Query per page (shared/events/audit.ts). The cursor is opaque to
 * clients: base64url of the last item's sort key, checked on the way back in.
 */
import * as z from '../zod';
import { USER_ID } from '../auth/user';
import { AUDIT_RETENTION_DAYS, AUDIT_SORT_KEY, type AuditStore } from '../events/audit';
import { parseInput } from '../http/validate';
import { providerId } from './provider-input';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 100;

const cursor = z.pipe(
  z.string().check(z.maxLength(200)),
  z.transform((value: string, ctx) => {
    const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
    if (!AUDIT_SORT_KEY.test(decoded)) {
      ctx.issues.push({ code: 'custom', message: 'is not a cursor from an earlier page', input: value });
      return z.NEVER;
    }
    return decoded;
  }),
);

const auditQuery = z.strictObject({
  user: z.optional(z.string().check(z.regex(USER_ID, 'is not a user id'))),
  provider: z.optional(providerId),
  // A date (`2026-01-31`) or a time with its offset; read as UTC.
  since: z.optional(z.union([z.iso.date(), z.iso.datetime({ offset: true })])),
  cursor: z.optional(cursor),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(AUDIT_PAGE_MAX))),
});

export const encodeCursor = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');

export async function listAudit(deps: { audit: AuditStore; now: () => number }, query: Record<string, string>) {
  const q = parseInput(auditQuery, query, 'query');
  const oldest = deps.now() - AUDIT_RETENTION_DAYS * 86_400_000;
  const asked = q.since ? Date.parse(q.since) : oldest;
  const since = new Date(Math.max(asked, oldest)).toISOString();
  const page = await deps.audit.page({
    ...(q.user ? { user: q.user } : {}),
    ...(q.provider ? { provider: q.provider } : {}),
    since,
    ...(q.cursor ? { after: q.cursor } : {}),
    limit: q.limit ?? AUDIT_PAGE_DEFAULT,
    now: deps.now(),
  });
  return { events: page.events, nextCursor: page.last ? encodeCursor(page.last) : null };
}
