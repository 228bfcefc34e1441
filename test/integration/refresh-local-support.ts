/**
 * For the tests of the scheduled refresh under `npm start` (refresh-local*.test.ts): the
 * local server with its sandbox providers (real HTTP servers, local/sandbox.ts), a developer
 * linked to the sandbox GitLab, and that link made due. One stack per test file: the
 * handlers keep the deps of the first stack their process served.
 */
import type { LocalStack } from '../../local/app';
import { startSandbox } from '../../local/sandbox';
import { LinkStore } from '@shared/store/links';
import { askCredential, gitHost, newEnvToken } from '../support/env';
import { Browser, linkThroughPage, startTestStack } from '../support/local';

export const DAY = 86_400_000;

export const start = (refreshSchedule?: { everyMs: number; firstAfterMs: number }) =>
  startTestStack({ onListening: (s) => startSandbox(s), ...(refreshSchedule ? { refreshSchedule } : {}) });

/** A developer linked to the sandbox GitLab, the password git gets now, and how to ask again. */
export async function linkedDeveloper(s: LocalStack, userId: string) {
  const dev = await Browser.signIn(s, userId);
  expect(new URL(await linkThroughPage(dev, 'sandbox-gitlab', 'tanuki')).searchParams.get('linked')).toBe('sandbox-gitlab');
  const admin = await Browser.signIn(s, 'root', true);
  const host = gitHost((await admin.api('GET', '/v1/admin/providers/sandbox-gitlab')).json.baseUrl);
  const token = await newEnvToken(dev);
  const password = async () => {
    const r = await askCredential(s, token, { protocol: 'http', host });
    expect(r.status).toBe(200);
    return (r.json as { password: string }).password;
  };
  return { dev, admin, password, before: await password() };
}

/** Makes the link due a day ago, as the index would hold it after 31 idle days. */
export async function makeDue(s: LocalStack, userId: string) {
  const links = new LinkStore(s.table);
  const l = (await links.get(userId, 'sandbox-gitlab'))!;
  await links.update(userId, 'sandbox-gitlab', l.version, { refreshDueAt: Date.now() - DAY });
}
