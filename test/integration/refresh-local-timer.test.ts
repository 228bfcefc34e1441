/**
 * The scheduled refresh under `npm start`, on its timer (local/refresh-schedule.ts): a sandbox
 * GitLab link made due is refreshed with nobody asking. Its own file: one local stack per process.
 */
import type { LocalStack } from '../../local/app';
import { LinkStore } from '@shared/store/links';
import { DAY, linkedDeveloper, makeDue, start } from './refresh-local-support';

jest.setTimeout(90_000);

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

test('the timer runs it by itself', async () => {
  stack = await start({ everyMs: 250, firstAfterMs: 250 });
  const { password, before } = await linkedDeveloper(stack, 'timer-dev');
  await makeDue(stack, 'timer-dev');
  const links = new LinkStore(stack.table);
  const until = Date.now() + 20_000;
  while (Date.now() < until && ((await links.get('timer-dev', 'sandbox-gitlab'))!.refreshDueAt ?? 0) < Date.now()) await new Promise((r) => setTimeout(r, 100));
  expect((await links.get('timer-dev', 'sandbox-gitlab'))!.refreshDueAt).toBeGreaterThan(Date.now() + 29 * DAY);
  expect(await password()).not.toBe(before);
});
