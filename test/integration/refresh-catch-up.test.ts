/**
 * The one-time due-date catch-up (shared/refresh/catch-up.ts) over the wire, on dynalite and
 * on moto_server: links written the way the version before the schedule wrote them (no
 * `refreshDueAt`, no gsi2 attributes) get the due date their provider's policy gives, those
 * idle too long are refreshed by the next schedule run at the fake GitLab, a second catch-up
 * changes nothing, and an interrupted one resumes where it stopped.
 */
import type { Deps } from '@shared/deps';
import { catchUpDueDates } from '@shared/refresh/catch-up';
import { runScheduledRefresh } from '@shared/refresh/scheduler';
import { keys } from '@shared/store/schema';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { seedLink, seedProvider, startHarness, type Harness } from '../support/env';
import { awsTargets, reportSkipped } from '../support/targets';

const ORIGIN = 'http://127.0.0.1';
const DAY = 86_400_000;
const { run: aws, skipped } = awsTargets();
const targets = [{ name: 'dynalite', endpoint: undefined as string | undefined }, ...aws.filter((t) => t.name === 'moto_server')];

let gl: FakeGitLab;
beforeAll(async () => {
  gl = await startFakeGitLab();
});
afterAll(async () => gl.close());

describe('the due-date catch-up for links older than the schedule', () => {
  reportSkipped(skipped.filter((s) => s.name === 'moto_server'));

  describe.each(targets)('$name', ({ endpoint }) => {
    let h: Harness;
    let seq = 0;
    beforeEach(async () => {
      gl.behavior.refreshCalls = 0;
      h = await startHarness({ secrets: { gitlab: gl.clientSecret }, ...(endpoint ? { dynamoEndpoint: endpoint } : {}) });
      await seedProvider(h, { id: 'gitlab', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId });
      // Bitbucket Cloud's refresh tokens neither expire nor rotate: nothing to catch up.
      await seedProvider(h, { id: 'bbc', type: 'bitbucket-cloud', baseUrl: 'https://bitbucket.org', clientId: 'bbc-client' });
    });
    afterEach(async () => h.close());

    /** A link as the old version wrote it: seedLink sets no due date; the test checks the item has none. */
    async function oldLink(providerId = 'gitlab', tokens: { accessToken: string; refreshToken?: string } = gl.mintToken('tanuki')) {
      const userId = `old${++seq}`;
      await seedLink(h, userId, providerId, tokens);
      return userId;
    }
    const raw = (userId: string, providerId = 'gitlab') => h.deps.table.get(keys.link(userId, providerId));
    const link = async (userId: string, providerId = 'gitlab') => (await h.deps.links.get(userId, providerId))!;
    const catchUp = (deps: Deps = h.deps, opts: { pageSize?: number; budgetMs?: number } = {}) => catchUpDueDates(deps, { budgetMs: 60_000, ...opts });
    const schedule = () => runScheduledRefresh(h.deps, { origin: ORIGIN, budgetMs: 60_000, refresh: { retryBaseMs: 5 } });
    const queries = () => h.dynamoCalls.filter((c) => c === 'QueryCommand').length;

    test('old links get the due date their policy gives; idle ones are due now and the next schedule run refreshes them', async () => {
      const t0 = h.clock.now();
      const idle = await oldLink();
      const refreshedLately = await oldLink();
      h.clock.offset += 20 * DAY;
      const recent = await oldLink();
      const noRefreshToken = await oldLink('gitlab', { accessToken: 'glpat-like' });
      const dead = await oldLink();
      await h.deps.links.update(dead, 'gitlab', (await link(dead)).version, { needsRelink: true, relinkReason: 'invalid_grant' });
      const cloud = await oldLink('bbc', { accessToken: 'bbc-at', refreshToken: 'bbc-rt' });
      h.clock.offset += 15 * DAY;
      await h.deps.links.update(refreshedLately, 'gitlab', (await link(refreshedLately)).version, { refreshedAt: t0 + 35 * DAY });
      h.clock.offset += 5 * DAY; // now: 40 days after t0
      for (const u of [idle, refreshedLately, recent, noRefreshToken, dead]) expect(await raw(u)).not.toHaveProperty('gsi2pk');
      // The old version's schedule would find nothing.
      const before = h.clock.now();

      expect(await catchUp()).toEqual({ scheduled: 3, done: true });
      expect(h.dynamoCalls).not.toContain('ScanCommand');
      // Idle for 40 days, past GitLab's 30: due now, in today's bucket.
      expect((await link(idle)).refreshDueAt).toBeGreaterThanOrEqual(before);
      expect((await link(idle)).refreshDueAt).toBeLessThanOrEqual(h.clock.now());
      expect((await raw(idle))?.gsi2pk).toBe(`REFRESHDUE#${new Date(before).toISOString().slice(0, 10)}`);
      // 30 days after its refresh token was issued: the last refresh, else the link.
      expect((await link(refreshedLately)).refreshDueAt).toBe(t0 + 65 * DAY);
      const r = await link(recent);
      expect(r.refreshDueAt).toBe(Date.parse(r.linkedAt) + 30 * DAY);
      for (const [u, p] of [[noRefreshToken, 'gitlab'], [dead, 'gitlab'], [cloud, 'bbc']] as const) {
        expect((await link(u, p)).refreshDueAt).toBeUndefined();
        expect(await raw(u, p)).not.toHaveProperty('gsi2pk');
      }

      expect(await schedule()).toEqual({ caughtUp: 0, due: 1, refreshed: 1, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false });
      expect(gl.behavior.refreshCalls).toBe(1);
      expect((await link(idle)).refreshedAt).toBeGreaterThanOrEqual(before);
      expect((await link(idle)).refreshDueAt).toBeGreaterThanOrEqual(before + 30 * DAY);
    });

    test('the schedule runs the catch-up itself, and refreshes the idle links in the same run', async () => {
      const idle = [await oldLink(), await oldLink()];
      h.clock.offset += 31 * DAY;
      const recent = await oldLink();
      expect(await schedule()).toEqual({ caughtUp: 3, due: 2, refreshed: 2, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false });
      expect(gl.behavior.refreshCalls).toBe(2);
      for (const u of idle) expect((await link(u)).refreshedAt).toBeGreaterThan(h.clock.now() - 60_000);
      expect((await link(recent)).refreshedAt).toBeUndefined();
      // Done: the next run costs one read of the bookmark, and catches up nothing.
      const calls = h.dynamoCalls.length;
      expect(await catchUp()).toEqual({ scheduled: 0, done: true });
      expect(h.dynamoCalls.slice(calls)).toEqual(['GetItemCommand']);
    });

    test('a second catch-up changes nothing, even with its bookmark gone', async () => {
      const users = [await oldLink(), await oldLink(), await oldLink('bbc', { accessToken: 'a', refreshToken: 'b' })];
      h.clock.offset += 40 * DAY;
      expect(await catchUp()).toEqual({ scheduled: 2, done: true });
      const after = await Promise.all(users.map(async (u, i) => link(u, i === 2 ? 'bbc' : 'gitlab')));
      expect(await catchUp()).toEqual({ scheduled: 0, done: true });
      // Without the bookmark it walks everything again, and still writes nothing.
      await h.deps.table.delete(keys.refreshCatchUp);
      expect(await catchUp(h.deps, { pageSize: 1 })).toEqual({ scheduled: 0, done: true });
      expect(await Promise.all(users.map(async (u, i) => link(u, i === 2 ? 'bbc' : 'gitlab')))).toEqual(after);
    });

    test('an interrupted catch-up resumes where it stopped: a budget spent, then a crash', async () => {
      const users: string[] = [];
      for (let i = 0; i < 7; i++) users.push(await oldLink());
      h.clock.offset += 40 * DAY;
      const start = queries();

      // Providers are walked by id: bbc (no links), then gitlab. The budget runs out after GitLab's first
      // page: a clock that jumps a minute once three Queries (providers, bbc, gitlab page 1) were sent.
      const spent = { ...h.deps, now: () => h.clock.now() + (queries() - start >= 3 ? 60_000 : 0) };
      expect(await catchUp(spent, { pageSize: 2, budgetMs: 30_000 })).toEqual({ scheduled: 2, done: false });

      // Then a run that dies on its second write (Lambda timed out, say).
      let writes = 0;
      const crashing = {
        ...h.deps,
        links: Object.assign(Object.create(h.deps.links), {
          update: (...args: Parameters<Deps['links']['update']>) => {
            if (++writes === 2) throw new Error('the function died');
            return h.deps.links.update(...args);
          },
        }),
      };
      const resumed = queries();
      await expect(catchUp(crashing, { pageSize: 2 })).rejects.toThrow('the function died');
      // It did not start over: one Query for the providers, then GitLab's second page (bbc is behind the bookmark).
      expect(queries() - resumed).toBe(2);

      const last = queries();
      expect(await catchUp(h.deps, { pageSize: 2 })).toEqual({ scheduled: 4, done: true });
      // The providers, then GitLab's pages 2 to 4, from the crashed page on (a walk from the start also reads bbc and page 1).
      expect(queries() - last).toBe(4);
      for (const u of users) {
        const l = await link(u);
        expect(l.refreshDueAt).toBeGreaterThanOrEqual(h.clock.now() - 60_000);
        // Each link written once: seeded (1), given its due date (2).
        expect(l.version).toBe(2);
      }
    });
  });
});
