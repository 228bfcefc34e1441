/**
 * Audit items over the wire (dynalite): written by the event emitter, read back by
 * `listAudit` newest first, one page per cursor, by user, by provider, both, and since a
 * time; every read a Query, never a Scan; a hostile cursor is a 400, not a 500.
 */
import { listAudit } from '@shared/admin/audit';
import { AppError } from '@shared/errors';
import { startHarness, type Harness } from '../support/env';

let h: Harness;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startHarness({ secrets: {} });
  // 9 events over three months, a day apart each, oldest first: for alice on gl and gh, and bob on gl.
  const start = Date.parse('2026-03-28T12:00:00.000Z');
  const who: Array<[string, string]> = [
    ['alice', 'gl'], ['bob', 'gl'], ['alice', 'gh'], ['alice', 'gl'], ['bob', 'gl'],
    ['alice', 'gl'], ['alice', 'gh'], ['bob', 'gh'], ['alice', 'gl'],
  ];
  for (const [i, [user, provider]] of who.entries()) {
    // Far apart (the 28th to the 5th of the month after next): three month partitions.
    h.clock.offset = start + i * 5 * DAY - Date.now();
    await h.deps.events.emit('link.relink_required', { subjectUserId: user, providerId: provider, actor: { kind: 'system' }, detail: { reason: `r${i}` } });
  }
  h.clock.offset = Date.parse('2026-05-10T00:00:00.000Z') - Date.now();
});
afterAll(async () => h.close());

const audit = (query: Record<string, string>) => listAudit({ audit: h.deps.events.audit, now: h.deps.now }, query);
const reasons = (page: { events: Array<{ detail: unknown }> }) => page.events.map((e) => (e.detail as { reason: string }).reason);

async function all(query: Record<string, string>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const page = await audit({ ...query, ...(cursor ? { cursor } : {}) });
    seen.push(...reasons(page));
    cursor = page.nextCursor;
    if (!cursor) return { seen, pages: pages + 1 };
  }
  throw new Error('the cursor never ended');
}

describe('audit: newest first, paginated by Query', () => {
  test('everything, across month partitions, 2 a page', async () => {
    const calls = h.dynamoCalls.length;
    expect((await all({ limit: '2' })).seen).toEqual(['r8', 'r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    expect(h.dynamoCalls.slice(calls).filter((c) => c !== 'QueryCommand')).toEqual([]);
  });

  test('one developer (gsi1), one provider (gsi2), and both (a filter on the developer\'s Query)', async () => {
    expect((await all({ user: 'alice', limit: '4' })).seen).toEqual(['r8', 'r6', 'r5', 'r3', 'r2', 'r0']);
    expect((await all({ provider: 'gh', limit: '1' })).seen).toEqual(['r7', 'r6', 'r2']);
    expect((await all({ user: 'alice', provider: 'gl', limit: '2' })).seen).toEqual(['r8', 'r5', 'r3', 'r0']);
    expect((await all({ user: 'carol' })).seen).toEqual([]);
  });

  test('since a date or a time, inclusive', async () => {
    expect((await all({ since: '2026-04-17' })).seen).toEqual(['r8', 'r7', 'r6', 'r5', 'r4']);
    expect((await all({ user: 'bob', since: '2026-04-02T12:00:00.000Z' })).seen).toEqual(['r7', 'r4', 'r1']);
  });

  test('a full page with nothing after it ends on the next call', async () => {
    const first = await audit({ provider: 'gh', limit: '3' });
    expect(reasons(first)).toEqual(['r7', 'r6', 'r2']);
    if (first.nextCursor) expect((await audit({ provider: 'gh', cursor: first.nextCursor })).events).toEqual([]);
  });

  test.each([
    ['a cursor that is not ours', { cursor: Buffer.from('AUDIT#2026-01#x').toString('base64url') }, 'cursor'],
    ['a cursor that is not base64url', { cursor: '%%%' }, 'cursor'],
    ['a limit over 100', { limit: '101' }, 'limit'],
    ['a user id with a key separator', { user: 'a#b' }, 'user'],
    ['an unknown parameter', { scan: '1' }, 'scan'],
    ['since that is no time', { since: 'yesterday' }, 'since'],
  ])('%s is refused with 400 invalid_request naming the field', async (_, query, field) => {
    const err = await audit(query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', extra: { field } });
  });
});
