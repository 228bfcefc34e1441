/**
 * Lifecycle events (docs/events.md), per provider type, over real HTTP through the local
 * server: a full admin, link, fetch (with a refresh), SSH-key rotation, token revoke,
 * unlink and provider-delete run. Every event is captured from the in-process bus and
 * checked against its schema and against the hand-written list of what the run must
 * announce, with its actor, subject and provider; no token, client secret, code,
 * environment-token secret or private key appears in any event; and the same events come
 * back, newest first, from the admin audit route.
 */
import { localBus } from '@shared/events/bus';
import { eventSchema, type GitlinkEvent } from '@shared/events/schema';
import { startFakeGitLab } from '../providers/gitlab';
import { askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';
import { kinds, secretsSentTo, type Kind, type RunningFake } from './support/provider-kinds';

let stack: LocalStack;
let admin: Browser;
const events: GitlinkEvent[] = [];
let unsubscribe: () => void;
const fakes = new Map<Kind['type'], RunningFake>();

/** Whether unlink can revoke the token at the provider (GitHub's grant, GitLab's /oauth/revoke); the others have no API for it. */
const revokedOnUnlink: Record<Kind['type'], 'ok' | 'unsupported'> = {
  github: 'ok',
  gitlab: 'ok',
  'bitbucket-server': 'unsupported',
  'bitbucket-dc': 'unsupported',
  'bitbucket-cloud': 'unsupported',
};

beforeAll(async () => {
  stack = await startTestStack({ env: { PROVIDER_TIMEOUT_MS: '3000' } });
  admin = await Browser.signIn(stack, 'root', true);
  unsubscribe = localBus.subscribe((e) => events.push(e));
  // Every provider before the first fetch: the credential route caches the provider list.
  for (const kind of kinds) {
    const fake = await kind.start(`${stack.url}/oauth/callback`);
    fakes.set(kind.type, fake);
    const created = await admin.api('POST', '/v1/admin/providers', kind.providerBody(fake, `ev-${kind.type}`));
    expect(created.status).toBe(201);
    fake.configured(created.json);
  }
});
afterAll(async () => {
  unsubscribe();
  await Promise.all([...fakes.values()].map((f) => f.close()));
  await stack.close();
});

describe.each(kinds)('events of a $type run', (kind) => {
  test('each event matches its schema, names who and what, and carries no secret; the audit serves them', async () => {
    const fake = fakes.get(kind.type)!;
    const id = `ev-${kind.type}`;
    const user = `events-${kind.type}`;
    expect((await admin.api('PUT', `/v1/admin/providers/${id}`, { displayName: `Events ${id}` })).status).toBe(200);
    if (kind.refreshes) fake.behavior.accessTokenTtlSeconds = 60; // inside the refresh window: the fetch refreshes
    const dev = await Browser.signIn(stack, user);
    fake.behavior.nextUser = `acct-${kind.type}`;
    await link(dev, id);
    const envToken = await newEnvToken(dev, 'events');
    expect((await askCredential(stack, envToken, { protocol: 'http', host: gitHost(fake.url) })).status).toBe(kind.https ? 200 : 409);
    const privateKey = (await fetch(`${stack.url}/v1/env/ssh-key`, { headers: { authorization: `Bearer ${envToken}` } }).then((r) => r.json())).privateKey as string;
    expect((await dev.api('POST', '/v1/me/ssh-key/rotate')).status).toBe(200);
    const tokenId = (await dev.api('GET', '/v1/me/tokens')).json.tokens[0].id as string;
    expect((await dev.api('DELETE', `/v1/me/tokens/${tokenId}`)).status).toBe(204);
    expect((await dev.api('DELETE', `/v1/links/${id}`)).status).toBe(200);
    expect((await admin.api('DELETE', `/v1/admin/providers/${id}`)).status).toBe(200);
    fake.behavior.accessTokenTtlSeconds = 3600;

    const run = events.filter((e) => e.providerId === id || e.subjectUserId === user);
    for (const e of run) expect({ type: e.type, valid: eventSchema.safeParse(e).success }).toEqual({ type: e.type, valid: true });

    // What the run must announce, in order (refreshes before provider calls may come or not: listed apart).
    const main = run.filter((e) => e.type !== 'token.refreshed');
    const adminActor = { kind: 'admin', id: 'root' };
    const devActor = { kind: 'developer', id: user };
    expect(main.map((e) => [e.type, e.actor, e.subjectUserId ?? null, e.providerId ?? null])).toEqual([
      ['provider.created', adminActor, null, id],
      ['provider.updated', adminActor, null, id],
      ['link.created', devActor, user, id],
      ['env_token.created', devActor, user, null],
      ['ssh_key.rotated', devActor, user, null],
      ['env_token.revoked', devActor, user, null],
      ['link.removed', devActor, user, id],
      ['provider.deleted', adminActor, null, id],
    ]);
    expect(main[2]!.detail).toEqual({ login: `acct-${kind.type}`, accountId: expect.any(String), scopes: expect.any(Array), sshKeyRegistered: true });
    expect(main[5]!.detail).toEqual({ tokenId, by: 'developer' });
    expect(main[6]!.detail).toEqual({ by: 'developer', sshKey: 'ok', token: revokedOnUnlink[kind.type] });
    const refreshes = run.filter((e) => e.type === 'token.refreshed');
    if (kind.refreshes && kind.https) {
      // The credential fetch refreshed: an environment asked, on the developer's behalf.
      expect(refreshes[0]).toMatchObject({ actor: { kind: 'environment', id: user }, subjectUserId: user, providerId: id, detail: { trigger: 'credential' } });
    } else {
      expect(refreshes).toEqual([]);
    }
    for (const e of run) {
      expect(e.sourceIp).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      expect(e.userAgent).toEqual(expect.any(String));
    }

    const secrets = [
      ...secretsSentTo(fake.requests),
      ...fake.issued(),
      ...(fake.clientSecret ? [fake.clientSecret] : []),
      envToken,
      envToken.split('_').pop()!,
      privateKey.split('\n')[1]!,
    ].filter((s) => s.length >= 8);
    expect(secrets.length).toBeGreaterThan(3);
    const text = JSON.stringify(run);
    for (const s of secrets) expect({ secretInEvents: text.includes(s) }).toEqual({ secretInEvents: false });
    expect(text).not.toMatch(/PRIVATE KEY|glk_/);

    // The same events, as audit items: this developer's, newest first.
    const audit = await admin.api('GET', `/v1/admin/audit?user=${user}&limit=100`);
    expect(audit.status).toBe(200);
    const mine = run.filter((e) => e.subjectUserId === user).reverse();
    expect(audit.json.events.map((e: GitlinkEvent) => e.id)).toEqual(mine.map((e) => e.id));
    expect(audit.json.nextCursor).toBeNull();
  });
});

test('a provider moved to another origin is announced with the links it retired', async () => {
  const fake = fakes.get('gitlab')!;
  const elsewhere = await startFakeGitLab();
  try {
    const body = kinds.find((k) => k.type === 'gitlab')!.providerBody(fake, 'ev-move');
    expect((await admin.api('POST', '/v1/admin/providers', body)).status).toBe(201);
    fake.behavior.nextUser = 'mover';
    await link(await Browser.signIn(stack, 'events-mover'), 'ev-move');
    const moved = await admin.api('PUT', '/v1/admin/providers/ev-move', { baseUrl: elsewhere.url, clientSecret: elsewhere.clientSecret });
    expect(moved.status).toBe(200);
    const announced = events.filter((e) => e.type === 'provider.updated' && e.providerId === 'ev-move');
    expect(announced.map((e) => e.detail)).toEqual([{ type: 'gitlab', displayName: expect.any(String), moved: true, relinkRequired: 1 }]);
    const retired = events.filter((e) => e.type === 'link.relink_required' && e.providerId === 'ev-move');
    expect(retired.map((e) => [e.subjectUserId, e.actor, e.detail])).toEqual([['events-mover', { kind: 'admin', id: 'root' }, { reason: 'provider_moved' }]]);
  } finally {
    await elsewhere.close();
  }
});
