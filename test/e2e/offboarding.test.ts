/**
 * Offboarding (`DELETE /v1/admin/users/{userId}`), on every provider type, over real HTTP
 * through the local server: the SSH key is deleted at the provider, the token revoked
 * where the provider can, the link, environment tokens and SSH key pair forgotten, and
 * the report says what is left to do by hand. With the provider down, the report says
 * what was left behind there and the gitlink side is still fully removed. A second call
 * finds nothing and says so.
 */
import { localBus } from '@shared/events/bus';
import type { GitlinkEvent } from '@shared/events/schema';
import { askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';
import { kinds, type Kind, type RunningFake } from '../security/support/provider-kinds';

let stack: LocalStack;
let admin: Browser;
const up = new Map<Kind['type'], RunningFake>();
const down = new Map<Kind['type'], RunningFake>();
const events: GitlinkEvent[] = [];
let unsubscribe: () => void;

/** Only GitHub (the grant) and GitLab (/oauth/revoke) can revoke a token; the Bitbuckets have no API for it. */
const revokes: Record<Kind['type'], boolean> = {
  github: true,
  gitlab: true,
  'bitbucket-server': false,
  'bitbucket-dc': false,
  'bitbucket-cloud': false,
};

beforeAll(async () => {
  // Short timeouts: the down providers are unreachable, and each step waits for that.
  stack = await startTestStack({ env: { PROVIDER_TIMEOUT_MS: '1500' } });
  admin = await Browser.signIn(stack, 'root', true);
  unsubscribe = localBus.subscribe((e) => events.push(e));
  for (const kind of kinds) {
    for (const [fakes, id] of [[up, kind.type], [down, `${kind.type.replace('bitbucket-', 'bb')}-down`]] as const) {
      const fake = await kind.start(`${stack.url}/oauth/callback`);
      fakes.set(kind.type, fake);
      const created = await admin.api('POST', '/v1/admin/providers', { ...kind.providerBody(fake, id), displayName: `${kind.type} ${id}` });
      expect(created.status).toBe(201);
      fake.configured(created.json);
    }
  }
}, 60_000);
afterAll(async () => {
  unsubscribe();
  await Promise.all([...up.values(), ...down.values()].map((f) => f.close().catch(() => undefined)));
  await stack.close();
});

/** A developer linked to one provider, with two environment tokens. */
async function developer(user: string, providerId: string, fake: RunningFake) {
  const dev = await Browser.signIn(stack, user);
  fake.behavior.nextUser = `acct-${user}`;
  await link(dev, providerId);
  const tokens = [await newEnvToken(dev, 'one'), await newEnvToken(dev, 'two')];
  expect(fake.keysOf(`acct-${user}`)).toHaveLength(1);
  return { dev, tokens };
}

async function expectNothingLeft(user: string, tokens: string[], host: string) {
  const seen = await admin.api('GET', `/v1/admin/users/${user}`);
  expect(seen).toMatchObject({ status: 200, json: { userId: user, links: [], envTokens: [], sshKey: null } });
  for (const t of tokens) {
    // Refused at its very next use: the credential and the SSH key alike.
    expect((await askCredential(stack, t, { protocol: 'http', host })).status).toBe(401);
    expect((await fetch(`${stack.url}/v1/env/ssh-key`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
  }
  // Idempotent: nothing more to remove, and the report says so.
  const again = await admin.api('DELETE', `/v1/admin/users/${user}`);
  expect(again).toMatchObject({ status: 200, json: { userId: user, providers: [], envTokensRevoked: 0, sshKeyDeleted: false, complete: true } });
}

describe.each(kinds)('offboarding a $type developer', (kind) => {
  test('shows their link and tokens, then removes everything, at the provider too', async () => {
    const fake = up.get(kind.type)!;
    const user = `leaver-${kind.type}`;
    const { tokens } = await developer(user, kind.type, fake);
    const liveBefore = fake.live().length;

    const seen = await admin.api('GET', `/v1/admin/users/${user}`);
    expect(seen.status).toBe(200);
    expect(seen.json.links).toEqual([
      expect.objectContaining({ providerId: kind.type, login: `acct-${user}`, sshKeyRegistered: true, needsRelink: false, lastRefreshAt: expect.any(String) }),
    ]);
    expect(seen.json.envTokens.map((t: { name: string }) => t.name)).toEqual(['one', 'two']);
    expect(seen.json.sshKey).toEqual({ fingerprint: expect.stringMatching(/^SHA256:/), createdAt: expect.any(String) });
    expect(JSON.stringify(seen.json)).not.toMatch(/glk_|PRIVATE KEY|secretHash/);

    const from = events.length;
    const out = await admin.api('DELETE', `/v1/admin/users/${user}`);
    expect(out.status).toBe(200);
    const manual = revokes[kind.type] ? [] : [`Revoke gitlink's access in acct-${user}'s account at ${kind.type} ${kind.type} (${kind.type} ${kind.type} has no API to revoke it).`];
    expect(out.json).toEqual({
      userId: user,
      providers: [{ providerId: kind.type, login: `acct-${user}`, sshKey: 'ok', token: revokes[kind.type] ? 'ok' : 'unsupported', link: 'deleted', manual }],
      envTokensRevoked: 2,
      sshKeyDeleted: true,
      complete: revokes[kind.type],
    });
    expect(fake.keysOf(`acct-${user}`)).toEqual([]);
    if (revokes[kind.type]) expect(fake.live().length).toBeLessThan(liveBefore);
    expect(events.slice(from).map((e) => [e.type, e.actor.kind, e.subjectUserId])).toEqual([
      ['env_token.revoked', 'admin', user],
      ['env_token.revoked', 'admin', user],
      ['link.removed', 'admin', user],
      ['user.offboarded', 'admin', user],
    ]);
    expect(events.at(-1)!.detail).toEqual({ links: 1, envTokens: 2, sshKey: true, leftAtProviders: manual.length });
    await expectNothingLeft(user, tokens, gitHost(fake.url));
  });

  test('with the provider down: the report says what is left there, and gitlink forgets everything', async () => {
    const fake = down.get(kind.type)!;
    const id = `${kind.type.replace('bitbucket-', 'bb')}-down`;
    const user = `gone-${kind.type}`;
    const { tokens } = await developer(user, id, fake);
    const host = gitHost(fake.url);
    await fake.close();

    const out = await admin.api('DELETE', `/v1/admin/users/${user}`);
    expect(out.status).toBe(200);
    const name = `${kind.type} ${id}`;
    const report = out.json.providers[0];
    expect(report).toMatchObject({ providerId: id, sshKey: 'failed', token: revokes[kind.type] ? 'failed' : 'unsupported', link: 'deleted' });
    expect(report.manual).toEqual([
      expect.stringMatching(new RegExp(`^Delete the SSH key SHA256:\\S+ from acct-${user}'s account at ${name}\\.$`)),
      `Revoke gitlink's access in acct-${user}'s account at ${name} (${revokes[kind.type] ? 'the provider could not be reached or refused' : `${name} has no API to revoke it`}).`,
    ]);
    expect(out.json).toMatchObject({ envTokensRevoked: 2, sshKeyDeleted: true, complete: false });
    await expectNothingLeft(user, tokens, host);
  }, 30_000);
});
