/**
 * The scheduled refresh over the wire: dynalite (the due-day index and the refresh lease),
 * the fake GitLab (rotates refresh tokens, refuses unknown ones with invalid_grant) and a
 * controllable clock (the harness's `clock.offset`). A fresh table per test, so counts are
 * this test's own.
 */
import { localBus } from '@shared/events/bus';
import type { GitlinkEvent } from '@shared/events/schema';
import { EnvService } from '@shared/env/service';
import { refreshDueAt } from '@shared/store/refresh-due';
import { runScheduledRefresh } from '@shared/refresh/scheduler';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { gitHost, seedEnvToken, seedLink, seedProvider, startHarness, type Harness } from '../support/env';

/** The fake binds refreshes to this redirect URI; gitlink sends `${origin}/oauth/callback`. */
const ORIGIN = 'http://127.0.0.1';
const DAY = 86_400_000;
let gl: FakeGitLab;
let h: Harness;
let seq = 0;
const events: GitlinkEvent[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  gl = await startFakeGitLab();
  unsubscribe = localBus.subscribe((e) => events.push(e));
});
afterAll(async () => {
  unsubscribe();
  await gl.close();
});
beforeEach(async () => {
  Object.assign(gl.behavior, { tokenStatus: null, tokenStatusTimes: Infinity, delayMs: {}, refreshCalls: 0 });
  h = await startHarness({ secrets: { gitlab: gl.clientSecret } });
  await seedProvider(h, { id: 'gitlab', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId });
});
afterEach(async () => h.close());

/** A GitLab link whose proactive refresh falls due at `dueAt`; absent: a link without a refresh token, which has none. */
async function linkDue(dueAt: number | undefined, tokens: { accessToken: string; refreshToken?: string } = gl.mintToken('tanuki')) {
  const userId = `dev${++seq}`;
  const saved = await seedLink(h, userId, 'gitlab', { ...tokens, expiresAt: h.clock.now() + 2 * 3_600_000 });
  if (dueAt !== undefined) await h.deps.links.update(userId, 'gitlab', saved.version, { refreshDueAt: dueAt });
  return userId;
}
const run = (opts: Partial<Parameters<typeof runScheduledRefresh>[1]> = {}) =>
  runScheduledRefresh(h.deps, { origin: ORIGIN, budgetMs: 60_000, refresh: { retryBaseMs: 5 }, ...opts });
const link = async (userId: string) => (await h.deps.links.get(userId, 'gitlab'))!;

describe('when a refresh is due', () => {
  test('rotating providers at 30 days; a refresh token with a lifetime 14 days before it ends; none without a policy', () => {
    const t = Date.parse('2026-01-01T00:00:00Z');
    expect(refreshDueAt({ refreshTokens: { rotates: true } }, true, t)).toBe(Date.parse('2026-01-31T00:00:00Z'));
    expect(refreshDueAt({ refreshTokens: { rotates: false, lifetimeMs: 90 * DAY } }, true, t)).toBe(Date.parse('2026-03-18T00:00:00Z'));
    expect(refreshDueAt({ refreshTokens: { rotates: true, lifetimeMs: 20 * DAY } }, true, t)).toBe(Date.parse('2026-01-07T00:00:00Z'));
    expect(refreshDueAt({ refreshTokens: { rotates: false } }, true, t)).toBeUndefined();
    expect(refreshDueAt({}, true, t)).toBeUndefined();
    expect(refreshDueAt({ refreshTokens: { rotates: true } }, false, t)).toBeUndefined();
  });
});

describe('the scheduled refresh (issue 14 item 1)', () => {
  test('refreshes only the due links, found by Query on the due-day index (never a Scan), and moves them 30 days on', async () => {
    const now = h.clock.now();
    const due = await linkDue(now - DAY);
    const later = await linkDue(now + 10 * DAY);
    const none = await linkDue(undefined, { accessToken: gl.mintToken('tanuki').accessToken });
    const calls = h.dynamoCalls.length;
    const from = events.length;

    expect(await run()).toEqual({ caughtUp: 0, due: 1, refreshed: 1, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false });
    expect(gl.behavior.refreshCalls).toBe(1);
    expect(h.dynamoCalls.slice(calls)).not.toContain('ScanCommand');
    expect(h.dynamoCalls.slice(calls)).toContain('QueryCommand');
    const refreshed = await link(due);
    expect(refreshed.refreshDueAt! - (now + 30 * DAY)).toBeGreaterThanOrEqual(0);
    expect(refreshed.refreshDueAt! - (now + 30 * DAY)).toBeLessThan(60_000);
    expect((await link(later)).refreshDueAt).toBe(now + 10 * DAY);
    expect((await link(none)).refreshDueAt).toBeUndefined();
    expect(events.slice(from).map((e) => [e.type, e.actor, e.subjectUserId, e.detail])).toEqual([
      ['token.refreshed', { kind: 'system' }, due, { trigger: 'schedule', expiresAt: expect.any(String) }],
    ]);
  });

  test('a controllable clock: a link refreshed 29 days ago waits, at 31 days it is refreshed', async () => {
    const user = await linkDue(h.clock.now() + 30 * DAY);
    h.clock.offset += 29 * DAY;
    expect((await run()).due).toBe(0);
    h.clock.offset += 2 * DAY;
    expect(await run()).toMatchObject({ due: 1, refreshed: 1 });
    expect((await link(user)).refreshedAt).toBeGreaterThan(h.clock.now() - 60_000);
  });

  test('the schedule and 50 parallel fetches together cause exactly 1 refresh (the same single-flight lease)', async () => {
    const userId = `dev${++seq}`;
    const minted = gl.mintToken('tanuki');
    // Due for the schedule, and expired for the credential path.
    const saved = await seedLink(h, userId, 'gitlab', { ...minted, expiresAt: h.clock.now() - 1000 });
    await h.deps.links.update(userId, 'gitlab', saved.version, { refreshDueAt: h.clock.now() - DAY });
    gl.expireAccessTokens();
    const token = await seedEnvToken(h, userId);
    gl.behavior.delayMs['/oauth/token'] = 150; // widens the race
    const ask = { protocol: 'http' as const, host: gitHost(gl.url) };
    const containers = [new EnvService(h.deps), new EnvService(h.deps)];
    const [report, ...answers] = await Promise.all([
      // Two due days to read: it reaches the link while the fetches refresh it (or just after).
      run({ lookbackDays: 1 }),
      ...Array.from({ length: 50 }, (_, i) => containers[i % 2]!.credential(token, ask, ORIGIN)),
    ]);
    expect(gl.behavior.refreshCalls).toBe(1);
    expect(new Set(answers.map((a) => (a as { password: string }).password)).size).toBe(1);
    expect((answers[0] as { password: string }).password).not.toBe(minted.accessToken);
    // Whoever won, the schedule failed nothing and left nothing due for this link.
    expect(report).toMatchObject({ relinkRequired: 0, failed: 0 });
    expect((await link(userId)).refreshDueAt).toBeGreaterThan(h.clock.now() + 29 * DAY);
  });

  test('bounded batches within a time budget; the next run resumes with what was not reached', async () => {
    for (let i = 0; i < 12; i++) await linkDue(h.clock.now() - DAY);
    // The budget runs out once the whole first group (5) has called the provider: a clock that
    // jumps a minute then, so the test does not depend on how fast this machine is. (Sooner, it
    // would also spend the budgets of that group's refreshes still in flight, which then fail fast.)
    const spent = { ...h.deps, now: () => h.clock.now() + (gl.behavior.refreshCalls >= 5 ? 60_000 : 0) };
    // One batch fits the budget: the second is never started (links reached are counted as due).
    expect(await runScheduledRefresh(spent, { origin: ORIGIN, budgetMs: 30_000, batchSize: 5, concurrency: 5, lookbackDays: 1, refresh: { retryBaseMs: 5 } })).toEqual({ caughtUp: 0, due: 5, refreshed: 5, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: true });
    expect(await run({ batchSize: 5 })).toEqual({ caughtUp: 0, due: 7, refreshed: 7, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false });
    expect((await run()).due).toBe(0);
    expect(gl.behavior.refreshCalls).toBe(12);
  });

  test('a permanent refusal marks the link relink_required with the reason, and takes it off the schedule', async () => {
    const user = await linkDue(h.clock.now() - DAY, { accessToken: 'at-unknown', refreshToken: 'rt-unknown-to-gitlab' });
    const from = events.length;
    expect(await run()).toMatchObject({ due: 1, refreshed: 0, relinkRequired: 1 });
    const marked = await link(user);
    expect([marked.needsRelink, marked.relinkReason, marked.refreshDueAt]).toEqual([true, 'invalid_grant', undefined]);
    expect(events.slice(from).map((e) => [e.type, e.detail])).toEqual([
      ['token.refresh_failed', { trigger: 'schedule', reason: 'invalid_grant', permanent: true }],
      ['link.relink_required', { reason: 'invalid_grant' }],
    ]);
    expect((await run()).due).toBe(0);
  });

  test('a link marked for relinking elsewhere (still scheduled) is taken off the schedule without calling the provider', async () => {
    const user = await linkDue(h.clock.now() - DAY);
    const l = await link(user);
    await h.deps.links.update(user, 'gitlab', l.version, { needsRelink: true, relinkReason: 'token_unreadable' });
    expect(await run()).toMatchObject({ due: 1, relinkRequired: 1, refreshed: 0 });
    expect(gl.behavior.refreshCalls).toBe(0);
    expect((await link(user)).refreshDueAt).toBeUndefined();
    expect((await run()).due).toBe(0);
  });

  test('a transient failure is due again at the next run (6 hours on), not marked', async () => {
    const user = await linkDue(h.clock.now() - DAY);
    gl.behavior.tokenStatus = 503;
    expect(await run()).toMatchObject({ due: 1, failed: 1, relinkRequired: 0 });
    const kept = await link(user);
    expect(kept.needsRelink).toBeUndefined();
    expect(kept.refreshDueAt! - (h.clock.now() + 6 * 3_600_000)).toBeLessThan(60_000);
    gl.behavior.tokenStatus = null;
    h.clock.offset += 6 * 3_600_000 + 1000;
    expect(await run()).toMatchObject({ due: 1, refreshed: 1 });
  });
});
