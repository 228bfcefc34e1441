/**
 * Issue 10, fault injection, provider side: the fake GitLab sits behind the fault layer
 * (test/support/faults/proxy.ts; the provider's base URL is the proxy's), which answers 500,
 * 429 with Retry-After, resets the connection, hangs, or forwards and loses the answer.
 *
 * The policy under test (docs/FAULTS.md), written here rather than read from the code:
 * a refresh makes at most 3 attempts on a 5xx or 429, waits at least what Retry-After asks and gives
 * up at once when it asks for more than 5 s, and is never resent after a timeout or a reset (the
 * request may have reached GitLab, which then spent the refresh token); every other provider call
 * makes one attempt; each attempt is cut after PROVIDER_TIMEOUT_MS (twice that for a refresh).
 * Failures answer 502 with a contract code; nothing is half-done.
 */
import { LinkStore, type LinkRecord } from '@shared/store/links';
import type { LocalStack } from '../../local/app';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { expectCleanFailure } from '../support/faults/expect';
import { FaultProxy, type Seen } from '../support/faults/proxy';
import { kinds } from './support/provider-kinds';

const REFRESH_ATTEMPTS = 3;
const RETRY_AFTER_CAP_MS = 5_000;
const PROVIDER_TIMEOUT_MS = 700;

let gl: FakeGitLab;
let proxy: FaultProxy;
let stack: LocalStack;
let links: LinkStore;

beforeAll(async () => {
  gl = await startFakeGitLab();
  proxy = await FaultProxy.start(gl.url);
  stack = await startTestStack({ env: { PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS) } });
  links = new LinkStore(stack.table);
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', baseUrl: proxy.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
});
afterAll(async () => {
  await stack.close();
  await proxy.close();
  await gl.close();
});
afterEach(() => proxy.clear());

const tokenEndpoint = (r: Seen) => r.method === 'POST' && r.path === '/oauth/token';
const refreshes = (r: Seen) => tokenEndpoint(r) && r.body.includes('grant_type=refresh_token');
const ask = (token: string) => askCredential(stack, token, { protocol: 'http', host: gitHost(proxy.url) });

/** A developer linked as `account` with a token inside the refresh window (every fetch refreshes). */
async function expiring(user: string, account: string) {
  const dev = await Browser.signIn(stack, user);
  gl.behavior.nextUser = account;
  gl.behavior.accessTokenTtlSeconds = 60;
  await link(dev, 'gitlab');
  gl.behavior.accessTokenTtlSeconds = 7200;
  return { dev, token: await newEnvToken(dev), before: (await links.get(user, 'gitlab'))! };
}

/** The old record, still usable: same tokens, no lease left, not marked for relinking. */
function expectUntouched(after: LinkRecord | undefined, before: LinkRecord) {
  expect(after).toBeDefined();
  expect([after!.accessTokenCt, after!.refreshTokenCt]).toEqual([before.accessTokenCt, before.refreshTokenCt]);
  expect([after!.refreshLeaseUntil, after!.needsRelink]).toEqual([undefined, undefined]);
}

describe('refresh under provider faults', () => {
  test.each([
    ['500', { kind: 'answer', status: 500, body: '{"message":"500 Internal Server Error"}' }, 'provider_unavailable', REFRESH_ATTEMPTS],
    ['a reset connection', { kind: 'reset' }, 'provider_unavailable', 1],
    ['a hang', { kind: 'hang' }, 'provider_unavailable', 1],
  ] as const)('%s on every refresh: 3 attempts on a 500, 1 after a reset or a hang, a 502, the old record still usable, served once the provider is back', async (name, fault, code, attempts) => {
    const user = `r-${name.replace(/\W+/g, '')}`;
    const { token, before } = await expiring(user, `${user}acct`);
    const rule = proxy.inject({ name, match: refreshes, fault });

    const started = Date.now();
    const answer = await ask(token);
    expectCleanFailure(answer, { status: 502, code });
    expect(rule.hits()).toBe(attempts);
    // Cut, not waited out (a hang would last until the proxy closes); generous for a loaded machine.
    expect(Date.now() - started).toBeLessThan(REFRESH_ATTEMPTS * 2 * PROVIDER_TIMEOUT_MS + 10_000);
    expectUntouched(await links.get(user, 'gitlab'), before);

    proxy.clear();
    const again = await ask(token);
    expect(again.status).toBe(200);
    expect(gl.liveTokensOf(`${user}acct`).map((t) => t.accessToken)).toEqual([again.json.password]);
  });

  test('429 with Retry-After: 1: attempts at least a second apart, at most 3, then a 502', async () => {
    const { token, before } = await expiring('r-429', 'r429acct');
    const rule = proxy.inject({ name: '429', match: refreshes, fault: { kind: 'answer', status: 429, headers: { 'retry-after': '1' }, body: '{"message":"Retry later"}' } });

    const answer = await ask(token);
    expectCleanFailure(answer, { status: 502, code: 'provider_unavailable', retryAfter: '1' }); // GitLab's own value, passed on
    const at = proxy.seen.filter((s) => s.rule === '429').map((s) => s.at);
    expect(rule.hits()).toBe(REFRESH_ATTEMPTS);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1_000);
    expectUntouched(await links.get('r-429', 'gitlab'), before);
  });

  test('429 with a Retry-After over the cap (an hour, or a date): one attempt, an immediate 502, the provider is not hammered', async () => {
    const { token } = await expiring('r-429-long', 'r429long');
    for (const retryAfter of ['3600', new Date(Date.now() + 3_600_000).toUTCString()]) {
      proxy.clear();
      const rule = proxy.inject({ name: `429-${retryAfter}`, match: refreshes, fault: { kind: 'answer', status: 429, headers: { 'retry-after': retryAfter } } });
      const started = Date.now();
      const answer = await ask(token);
      // Passed on, capped at a minute: a git helper or CI job is told to back off, not to stall for an hour.
      expectCleanFailure(answer, { status: 502, code: 'provider_unavailable', retryAfter: '60' });
      expect(rule.hits()).toBe(1);
      expect(Date.now() - started).toBeLessThan(RETRY_AFTER_CAP_MS);
    }
  });

  test('the answer to a refresh is lost after GitLab rotated the tokens: a 502, then a clean 409 relink_required, and no crash loop', async () => {
    const { token } = await expiring('r-lost', 'rlostacct');
    const refreshesBefore = proxy.count(refreshes);
    proxy.inject({ name: 'lost', match: refreshes, fault: { kind: 'forward-then-reset' }, times: 1 });

    // Not resent within the request: a reset cannot tell whether GitLab acted.
    const answer = await ask(token);
    expectCleanFailure(answer, { status: 502, code: 'provider_unavailable' });
    expect(proxy.count(refreshes) - refreshesBefore).toBe(1);
    expect((await links.get('r-lost', 'gitlab'))!.needsRelink).toBeUndefined();

    // GitLab had spent the refresh token: the next fetch's refresh with it is refused (invalid_grant).
    const next = await ask(token);
    expect([next.status, next.json.error.code, next.json.error.linkUrl]).toEqual([409, 'relink_required', `${stack.url}/link/gitlab`]);
    expect(next.retryAfter).toBeNull(); // trying again does not fix this one: relinking does
    expect(proxy.count(refreshes) - refreshesBefore).toBe(2);
    expect((await links.get('r-lost', 'gitlab'))!.needsRelink).toBe(true);

    // Asked again: the same answer at once, without calling GitLab.
    const again = await ask(token);
    expect([again.status, again.json.error.code]).toEqual([409, 'relink_required']);
    expect(proxy.count(refreshes) - refreshesBefore).toBe(2);
  });
});

describe('linking under provider faults', () => {
  async function attempt(user: string, account: string) {
    const dev = await Browser.signIn(stack, user);
    gl.behavior.nextUser = account;
    const start = await dev.api('POST', '/v1/links/gitlab');
    expect(start.status).toBe(200);
    return { dev, authorizeUrl: start.json.authorizeUrl as string };
  }

  test('the token endpoint answers 500: ?error=provider_unavailable after one attempt (a code is single-use), no link', async () => {
    const { dev, authorizeUrl } = await attempt('l-500', 'l500acct');
    const rule = proxy.inject({ name: 'exchange-500', match: tokenEndpoint, fault: { kind: 'answer', status: 500 } });
    const end = await dev.navigate(authorizeUrl);
    expect(new URL(end.url).searchParams.get('error')).toBe('provider_unavailable');
    expect(rule.hits()).toBe(1);
    expect(await links.get('l-500', 'gitlab')).toBeUndefined();
    expect(gl.keysOf('l500acct')).toEqual([]);
  });

  test('the identity call hangs: ?error=provider_timeout, no link, no key, and the tokens the code yielded are revoked', async () => {
    const { dev, authorizeUrl } = await attempt('l-hang', 'lhangacct');
    const rule = proxy.inject({ name: 'user-hang', match: (r) => r.path === '/api/v4/user', fault: { kind: 'hang' } });
    const started = Date.now();
    const end = await dev.navigate(authorizeUrl);
    expect(new URL(end.url).searchParams.get('error')).toBe('provider_timeout');
    expect(rule.hits()).toBe(1);
    expect(Date.now() - started).toBeLessThan(PROVIDER_TIMEOUT_MS + 10_000);
    expect(await links.get('l-hang', 'gitlab')).toBeUndefined();
    expect(gl.keysOf('lhangacct')).toEqual([]);
    expect(gl.liveTokensOf('lhangacct')).toEqual([]);
  });
});

describe('unlinking under provider faults', () => {
  test('key delete answers 500 and the revoke hangs: 200, the link gone, the report names both steps left to do by hand', async () => {
    const dev = await Browser.signIn(stack, 'u-faults');
    gl.behavior.nextUser = 'ufaults';
    await link(dev, 'gitlab');
    expect(gl.keysOf('ufaults')).toHaveLength(1);
    const del = proxy.inject({ name: 'key-delete-500', match: (r) => r.method === 'DELETE' && r.path.startsWith('/api/v4/user/keys/'), fault: { kind: 'answer', status: 500 } });
    const revoke = proxy.inject({ name: 'revoke-hang', match: (r) => r.path === '/oauth/revoke', fault: { kind: 'hang' } });

    const started = Date.now();
    const out = await dev.api('DELETE', '/v1/links/gitlab');
    expect(Date.now() - started).toBeLessThan(PROVIDER_TIMEOUT_MS + 10_000);
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ providerId: 'gitlab', sshKey: 'failed', token: 'failed', link: 'deleted' });
    expect(out.json.errors.sshKey).toMatch(/SSH key/);
    expect(out.json.errors.token).toMatch(/in time/);
    expect([del.hits(), revoke.hits()]).toEqual([1, 1]);
    expect(await links.get('u-faults', 'gitlab')).toBeUndefined();
    // What the report says is left is what is left.
    expect(gl.keysOf('ufaults')).toHaveLength(1);
    expect(gl.liveTokensOf('ufaults')).toHaveLength(1);
  });
});

/** What unlink can do about the token at each type (README, "Configure …" sections): revoke it, or not at all. */
const revokeStep: Record<string, 'failed' | 'unsupported'> = {
  github: 'failed',
  gitlab: 'failed',
  'bitbucket-server': 'unsupported',
  'bitbucket-dc': 'unsupported',
  'bitbucket-cloud': 'unsupported',
};

describe.each(kinds)('unlink under provider faults: $type', (kind) => {
  test('the key delete answers 500 and every other write hangs: 200, the link gone, the report matches what is left', async () => {
    const fake = await kind.start(`${stack.url}/oauth/callback`);
    const front = await FaultProxy.start(fake.url);
    try {
      const id = `uf-${kind.type}`;
      const body = kind.providerBody(fake, id);
      // Every call to this provider goes through the fault layer (GitHub's API too: same server, its own path).
      const moved = { ...body, baseUrl: front.url, ...(typeof body.apiUrl === 'string' ? { apiUrl: body.apiUrl.replace(fake.url, front.url) } : {}) };
      const admin = await Browser.signIn(stack, 'root', true);
      const created = await admin.api('POST', '/v1/admin/providers', moved);
      expect(created.status).toBe(201);
      fake.configured(created.json);
      const account = `uf${kind.type.replace(/-/g, '')}`;
      fake.behavior.nextUser = account;
      const dev = await Browser.signIn(stack, `uf-dev-${kind.type}`);
      await link(dev, id);
      expect(fake.keysOf(account)).toHaveLength(1);

      const keyDelete = (r: Seen) => r.method === 'DELETE' && /keys\/[^/]+$/.test(r.path);
      const del = front.inject({ name: 'key-delete-500', match: keyDelete, fault: { kind: 'answer', status: 500 } });
      const other = front.inject({ name: 'writes-hang', match: (r) => r.method !== 'GET' && !keyDelete(r), fault: { kind: 'hang' } });

      const out = await dev.api('DELETE', `/v1/links/${id}`);
      expect(out.status).toBe(200);
      expect(out.json).toMatchObject({ providerId: id, sshKey: 'failed', token: revokeStep[kind.type], link: 'deleted' });
      expect(out.json.errors.sshKey).toEqual(expect.any(String));
      expect(del.hits()).toBe(1);
      expect(other.hits()).toBe(revokeStep[kind.type] === 'failed' ? 1 : 0);
      expect(await links.get(`uf-dev-${kind.type}`, id)).toBeUndefined();
      expect(fake.keysOf(account)).toHaveLength(1); // left, as reported
    } finally {
      await front.close();
      await fake.close();
    }
  });
});
