/**
 * Issue 10, attack 5: the answer to the SSH-key upload is lost (the provider stores
 * the key, then the connection resets), so the link holds no key id. Unlink and
 * rotation must still find gitlink's key at the provider, by its key material, through
 * each provider's paginated list-keys API, and delete it. Every provider type's fake
 * lists 150 other keys of the account first, so the key is found past the first page.
 */
import { Browser, startTestStack } from '../support/local';
import { link } from '../support/env';
import type { LocalStack } from '../../local/app';
import { kinds } from './support/provider-kinds';

let stack: LocalStack;
let admin: Browser;
beforeAll(async () => {
  stack = await startTestStack({ env: { PROVIDER_TIMEOUT_MS: '3000' } });
  admin = await Browser.signIn(stack, 'root', true);
});
afterAll(() => stack.close());

/** A key as the fakes list it (`key` or Bitbucket Server's `text`), or a key line, without its comment. */
const material = (k: unknown) => String(typeof k === 'string' ? k : (k as { key?: string; text?: string }).key ?? (k as { text?: string }).text).split(' ').slice(0, 2).join(' ');

describe.each(kinds)('$type', (kind) => {
  test('a lost upload answer: unlink finds the key past the first page and deletes it; so does rotation', async () => {
    const fake = await kind.start(`${stack.url}/oauth/callback`);
    try {
      const r = await admin.api('POST', '/v1/admin/providers', kind.providerBody(fake, `lost-${kind.type}`));
      expect(r.status).toBe(201);
      fake.configured(r.json);
      fake.behavior.otherKeys = 150;
      const account = `lost-${kind.type.replace(/-/g, '')}`;
      fake.behavior.nextUser = account;

      // 1. Link; the upload's answer is lost, so the link has no key id.
      const dev = await Browser.signIn(stack, `dev-${kind.type}`);
      const mine = (await dev.api('GET', '/v1/me/ssh-key')).json.publicKey as string;
      fake.behavior.resetAfterKeyStored = true;
      await link(dev, `lost-${kind.type}`).catch(() => undefined); // the callback lands with a key warning
      fake.behavior.resetAfterKeyStored = false;
      expect(fake.keysOf(account).map(material)).toEqual([material(mine)]);

      // 2. Unlink finds it by its key material and deletes it.
      const out = await dev.api('DELETE', `/v1/links/lost-${kind.type}`);
      expect([out.status, out.json.sshKey]).toEqual([200, 'ok']);
      expect(fake.keysOf(account)).toEqual([]);
      const listed = fake.requests.filter((q) => q.method === 'GET' && /keys$/.test(q.path));
      expect(listed.length).toBeGreaterThanOrEqual(2); // past the first page

      // 3. Rotation: the old key, uploaded without an answer, is found and deleted after the new one is up.
      fake.behavior.resetAfterKeyStored = true;
      await link(dev, `lost-${kind.type}`).catch(() => undefined);
      fake.behavior.resetAfterKeyStored = false;
      const rotated = await dev.api('POST', '/v1/me/ssh-key/rotate');
      expect([rotated.status, rotated.json.rotated]).toEqual([200, true]);
      expect(fake.keysOf(account).map(material)).toEqual([material(rotated.json.publicKey)]);
    } finally {
      await fake.close();
    }
  });
});
