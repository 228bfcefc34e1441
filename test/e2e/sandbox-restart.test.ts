/**
 * A restart of the local server with the sandbox (data dir on disk): the sandbox
 * providers start empty on new ports, so the links an earlier run saved to them are
 * reset, and the UI's provider list no longer says "Linked" for them. A provider of
 * the admin's own keeps its links.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { startSandbox } from '../../local/sandbox';
import { Browser, linkThroughPage, startTestStack } from '../support/local';
import { keys } from '@shared/store/schema';
import { fromLinkItem, toLinkItem } from '@shared/store/links';

jest.setTimeout(90_000);

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const start = (dataDir: string) => startTestStack({ dataDir, inMemory: false, onListening: (s) => startSandbox(s) });

const linkedIds = async (dev: Browser) =>
  ((await dev.api('GET', '/v1/providers')).json.providers as Array<{ id: string; linked: boolean }>).filter((p) => p.linked).map((p) => p.id);

test('links to the sandbox providers are reset by a restart; the provider list shows them unlinked', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-restart-'));
  stack = await start(dataDir);
  const dev = await Browser.signIn(stack, 'restart-dev');
  expect(new URL(await linkThroughPage(dev, 'sandbox-gitlab', 'tanuki')).searchParams.get('linked')).toBe('sandbox-gitlab');
  expect(await linkedIds(dev)).toEqual(['sandbox-gitlab']);
  // A provider of the admin's own, with a link (stored as the callback stores one): not the sandbox's to reset.
  const admin = await Browser.signIn(stack, 'root', true);
  expect((await admin.api('POST', '/v1/admin/providers', { id: 'work-gitlab', type: 'gitlab', clientId: 'c', clientSecret: 's' })).status).toBe(201);
  const link = fromLinkItem((await stack.table.get(keys.link('restart-dev', 'sandbox-gitlab')))!);
  await stack.table.put(toLinkItem({ ...link, providerId: 'work-gitlab' }));
  expect((await linkedIds(dev)).sort()).toEqual(['sandbox-gitlab', 'work-gitlab']);
  await stack.close();

  jest.resetModules();
  stack = await start(dataDir);
  const again = await Browser.signIn(stack, 'restart-dev');
  expect(await linkedIds(again)).toEqual(['work-gitlab']);
  expect((await again.api('GET', '/v1/links')).json.links.map((l: { providerId: string }) => l.providerId)).not.toContain('sandbox-gitlab');
  expect(await stack.table.get(keys.link('restart-dev', 'sandbox-gitlab'))).toBeUndefined();
  expect(await stack.table.get(keys.link('restart-dev', 'work-gitlab'))).toBeDefined();
  // And linking again works against the fresh sandbox.
  expect(new URL(await linkThroughPage(again, 'sandbox-gitlab', 'tanuki')).searchParams.get('linked')).toBe('sandbox-gitlab');
});
