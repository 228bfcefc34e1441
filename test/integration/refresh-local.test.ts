/**
 * The scheduled refresh under `npm start`, run at once (local/refresh-schedule.ts): a sandbox
 * GitLab link made due is refreshed at the sandbox by `POST /dev/refresh-due` (admins only),
 * and git's next credential is the refreshed token. The timer: refresh-local-timer.test.ts.
 */
import type { LocalStack } from '../../local/app';
import { scheduleFromEnv } from '../../local/refresh-schedule';
import { LinkStore } from '@shared/store/links';
import { DAY, linkedDeveloper, makeDue, start } from './refresh-local-support';

jest.setTimeout(90_000);

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const refreshDue = (s: LocalStack, token?: string) =>
  fetch(`${s.url}/dev/refresh-due`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

test('POST /dev/refresh-due refreshes a due sandbox link at the sandbox GitLab; git then gets the new token', async () => {
  stack = await start();
  const { dev, admin, password, before } = await linkedDeveloper(stack, 'sched-dev');
  await makeDue(stack, 'sched-dev');

  // Admins only, as the scheduled function is nobody's route in the stack.
  expect((await refreshDue(stack)).status).toBe(401);
  const refused = await refreshDue(stack, dev.token);
  expect([refused.status, (await refused.json()).error.code]).toEqual([403, 'forbidden']);
  expect(await password()).toBe(before);

  const res = await refreshDue(stack, admin.token);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ caughtUp: 0, due: 1, refreshed: 1, relinkRequired: 0, failed: 0, skipped: 0, stoppedEarly: false });
  const after = await password();
  expect(after).not.toBe(before);
  const link = (await new LinkStore(stack.table).get('sched-dev', 'sandbox-gitlab'))!;
  expect(link.refreshDueAt).toBeGreaterThan(Date.now() + 29 * DAY);
  const audit = (await admin.api('GET', '/v1/admin/audit?user=sched-dev')).json;
  expect(audit.events.filter((e: { type: string }) => e.type === 'token.refreshed').map((e: { detail: unknown }) => e.detail)).toEqual([
    { trigger: 'schedule', expiresAt: expect.any(String) },
  ]);
  // Nothing is due any more.
  expect(await (await refreshDue(stack, admin.token)).json()).toMatchObject({ due: 0, refreshed: 0 });
});

test('npm start: every 6 hours by default, the first a minute after start; 0 turns it off; nonsense is refused', () => {
  expect(scheduleFromEnv({})).toEqual({ everyMs: 6 * 3_600_000, firstAfterMs: 60_000 });
  expect(scheduleFromEnv({ GITLINK_REFRESH_EVERY_MINUTES: '30' })).toEqual({ everyMs: 30 * 60_000, firstAfterMs: 60_000 });
  expect(scheduleFromEnv({ GITLINK_REFRESH_EVERY_MINUTES: '0' })).toBeUndefined();
  expect(scheduleFromEnv({ GITLINK_REFRESH_EVERY_MINUTES: '35791' })?.everyMs).toBe(35_791 * 60_000);
  // 35,792 minutes is past setInterval's 2^31-1 ms, which Node would run every 1 ms.
  for (const bad of ['-5', '1.5', 'often', '', '9999999', '35792', '40000']) expect(() => scheduleFromEnv({ GITLINK_REFRESH_EVERY_MINUTES: bad })).toThrow(/GITLINK_REFRESH_EVERY_MINUTES/);
});
