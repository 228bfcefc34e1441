/**
 * Token refresh over the wire: dynalite (the conditional-write lock), the fake
 * GitLab (rotates refresh tokens and rejects a reused one, as GitLab does), and
 * EnvService instances built directly. Two instances over one table are two
 * Lambda containers: they share nothing but DynamoDB.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@shared/errors';
import { EnvService } from '@shared/env/service';
import { decryptTokens } from '@shared/credentials/tokens';
import type { LinkStore } from '@shared/store/links';
import { StaleVersion } from '@shared/store/table';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { gitHost, seedEnvToken, seedLink, seedProvider, startHarness, type Harness } from '../support/env';

/** The fake's mintToken binds refreshes to this redirect URI; gitlink sends `${origin}/oauth/callback`. */
const ORIGIN = 'http://127.0.0.1';
let gl: FakeGitLab;
let h: Harness;
let userSeq = 0;

beforeAll(async () => {
  gl = await startFakeGitLab();
  h = await startHarness({ secrets: { gitlab: gl.clientSecret } });
  await seedProvider(h, { id: 'gitlab', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId });
});
afterAll(async () => {
  await gl.close();
  await h.close();
});
beforeEach(() => {
  Object.assign(gl.behavior, { tokenStatus: null, tokenStatusTimes: Infinity, delayMs: {}, refreshCalls: 0 });
  gl.behavior.hang.clear();
});

const ask = () => ({ protocol: 'http' as const, host: gitHost(gl.url) });
const tokenRequests = () => gl.requests.filter((r) => r.path === '/oauth/token').length;
const live = (token: string) => {
  const t = gl.tokens.get(token);
  return !!t && t.revoked === null && t.expiresAt > Date.now();
};

/** A developer with an env token and a GitLab link whose access token has expired (at gitlink and at the fake). */
async function expiredLink() {
  const userId = `dev${++userSeq}`;
  const minted = gl.mintToken('tanuki');
  await seedLink(h, userId, 'gitlab', { ...minted, expiresAt: h.clock.now() - 1000 });
  gl.expireAccessTokens();
  return { userId, token: await seedEnvToken(h, userId), old: minted };
}

const codeOf = (e: unknown) => (e instanceof AppError ? e.code : String(e));

describe('refresh is single-flight across containers (ARCHITECTURE.md §3 step 4)', () => {
  test('100 callers in two containers at an expired link: one refresh reaches GitLab, all get the new token', async () => {
    const { userId, token, old } = await expiredLink();
    gl.behavior.delayMs['/oauth/token'] = 150; // widens the race
    const containers = [new EnvService(h.deps), new EnvService(h.deps)];
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => containers[i % 2]!.credential(token, ask(), ORIGIN)),
    );
    expect(gl.behavior.refreshCalls).toBe(1);
    const passwords = new Set(answers.map((a) => a.password));
    expect(passwords.size).toBe(1);
    const [fresh] = [...passwords];
    expect(fresh).not.toBe(old.accessToken);
    expect(live(fresh!)).toBe(true);
    expect(answers.every((a) => a.username === 'oauth2')).toBe(true);
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    expect(stored.refreshLeaseUntil).toBeUndefined();
    expect(stored.expiresAt!).toBeGreaterThan(h.clock.now() + 60 * 60_000);
    expect((await decryptTokens(h.deps.crypto, stored)).accessToken).toBe(fresh);
  });

  test('a provider whose refreshed tokens live less than the 5-minute window: one refresh, not one per fetch', async () => {
    const { token } = await expiredLink();
    gl.behavior.accessTokenTtlSeconds = 60;
    try {
      const service = new EnvService(h.deps);
      const burst = await Promise.all(Array.from({ length: 50 }, () => service.credential(token, ask(), ORIGIN)));
      expect(new Set(burst.map((a) => a.password)).size).toBe(1);
      for (let i = 0; i < 10; i++) await new EnvService(h.deps).credential(token, ask(), ORIGIN);
      expect(gl.behavior.refreshCalls).toBe(1);
    } finally {
      gl.behavior.accessTokenTtlSeconds = 7200;
    }
  });

  test('20 callers, a provider slower than the lease: the winner keeps its lease, one refresh, no errors', async () => {
    const { token } = await expiredLink();
    // 3.5 leases long. The lease is a second, not less: under a burst of callers a write to the
    // link took dynalite 300-600 ms here, and a lease that runs out before its renewal lands is
    // rightly taken over (that is what the lease is for). The deployed lease is 12 s.
    gl.behavior.delayMs['/oauth/token'] = 3_500;
    const opts = { refresh: { leaseMs: 1_000 } };
    const containers = [new EnvService(h.deps, opts), new EnvService(h.deps, opts)];
    const answers = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => containers[i % 2]!.credential(token, ask(), ORIGIN)));
    expect(answers.filter((a) => a.status === 'rejected').map((a) => codeOf((a as PromiseRejectedResult).reason))).toEqual([]);
    expect(gl.behavior.refreshCalls).toBe(1);
    const passwords = new Set(answers.map((a) => (a as PromiseFulfilledResult<{ password: string }>).value.password));
    expect(passwords.size).toBe(1);
    expect(live([...passwords][0]!)).toBe(true);
  });

  test('invalid_grant after another caller rotated the token means reread, not relink', async () => {
    // A gate in front of GitLab holds token requests until the test lets each through, so the
    // interleaving is fixed: A's refresh is held past A's (short) lease, which A cannot renew (its
    // container lost DynamoDB meanwhile); B takes the lease over and sends the same refresh token;
    // A's goes through first and rotates it; then B's gets invalid_grant.
    const gate = await startGate(gl.url);
    try {
      await seedProvider(h, { id: 'gated', type: 'gitlab', baseUrl: gate.url, clientId: gl.clientId });
      await h.deps.secrets.put('gated', gl.clientSecret);
      const userId = `dev${++userSeq}`;
      await seedLink(h, userId, 'gated', { ...gl.mintToken('tanuki'), expiresAt: h.clock.now() - 1000 });
      const token = await seedEnvToken(h, userId);
      const opts = { refresh: { leaseMs: 100, pollMinMs: 20, pollMaxMs: 50 } };
      const via = { protocol: 'http' as const, host: gitHost(gate.url) };

      const pa = new EnvService({ ...h.deps, links: renewalsFail(h.deps.links) }, opts).credential(token, via, ORIGIN);
      await gate.arrived(1);
      const pb = new EnvService(h.deps, opts).credential(token, via, ORIGIN);
      await gate.arrived(2); // B took the expired lease over and sent the same refresh token
      gate.release(0);
      const ra = await pa; // A rotated the tokens and saved them
      gate.release(1);
      const rb = await pb; // B: invalid_grant → reread → A's tokens

      expect(gl.behavior.refreshCalls).toBe(2);
      expect(rb.password).toBe(ra.password);
      expect(live(ra.password)).toBe(true);
      const stored = (await h.deps.links.get(userId, 'gated'))!;
      expect(stored.needsRelink).toBeUndefined();
      expect((await decryptTokens(h.deps.crypto, stored)).accessToken).toBe(ra.password);
    } finally {
      await gate.close();
    }
  });
});

/** A container's link store whose lease renewals fail (cut off from DynamoDB): its first lease is taken, no later one. */
function renewalsFail(links: LinkStore): LinkStore {
  let leases = 0;
  const update: LinkStore['update'] = (userId, providerId, version, set, remove) => {
    const leaseOnly = Object.keys(set).length === 1 && set.refreshLeaseUntil !== undefined && !remove?.length;
    if (leaseOnly && ++leases > 1) return Promise.reject(new Error('DynamoDB unreachable'));
    return links.update(userId, providerId, version, set, remove);
  };
  return Object.assign(Object.create(links) as LinkStore, { update });
}

/** A pass-through proxy that holds each POST /oauth/token until `release(i)`. */
async function startGate(upstream: string) {
  const held: Array<() => void> = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = () => {
        const target = new URL(req.url ?? '/', upstream);
        const up = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.end(Buffer.concat(chunks));
      };
      if (req.url === '/oauth/token') {
        held.push(forward);
        waiters.splice(0).forEach((w) => w());
      } else forward();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async arrived(n: number) {
      while (held.length < n) await new Promise<void>((r) => waiters.push(r));
    },
    release: (i: number) => held[i]!(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('a permanent refusal marks the link needsRelink, with the reason', () => {
  test('a revoked grant: 409 relink_required, reason kept, no second refresh', async () => {
    const { userId, token, old } = await expiredLink();
    gl.tokens.get(old.accessToken)!.revoked = 'revoked'; // the developer revoked gitlink at GitLab
    const env = new EnvService(h.deps);
    const err = await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('relink_required');
    expect((err as AppError).status).toBe(409);
    expect((err as AppError).extra).toMatchObject({ reason: 'invalid_grant', linkUrl: `${ORIGIN}/link/gitlab` });
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    expect(stored).toMatchObject({ needsRelink: true, relinkReason: 'invalid_grant' });
    expect(stored.refreshLeaseUntil).toBeUndefined();
    expect(codeOf(await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e))).toBe('relink_required');
    expect(gl.behavior.refreshCalls).toBe(1);
  });
});

describe('5xx and 429: bounded retry, then 502 provider_unavailable; a timeout is never resent', () => {
  test('one 503 is retried and the refresh succeeds', async () => {
    const { token } = await expiredLink();
    Object.assign(gl.behavior, { tokenStatus: 503, tokenStatusTimes: 1 });
    const before = tokenRequests();
    const answer = await new EnvService(h.deps, { refresh: { retryBaseMs: 10 } }).credential(token, ask(), ORIGIN);
    expect(tokenRequests() - before).toBe(2);
    expect(live(answer.password)).toBe(true);
  });

  test('429 every time: 3 attempts, then 502; the lease is released and the link kept', async () => {
    const { userId, token } = await expiredLink();
    Object.assign(gl.behavior, { tokenStatus: 429 });
    const env = new EnvService(h.deps, { refresh: { retryBaseMs: 10 } });
    const before = tokenRequests();
    const err = await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('provider_unavailable');
    expect((err as AppError).status).toBe(502);
    expect(tokenRequests() - before).toBe(3);
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    expect(stored.refreshLeaseUntil).toBeUndefined();
    expect(stored.needsRelink).toBeUndefined();
    // The provider recovers: the next fetch refreshes at once (no stale lease to wait out).
    gl.behavior.tokenStatus = null;
    expect(live((await env.credential(token, ask(), ORIGIN)).password)).toBe(true);
  });

  test('a hanging token endpoint: bounded by twice the provider timeout, sent once, then 502; the link is kept', async () => {
    const { userId, token } = await expiredLink();
    gl.behavior.hang.add('/oauth/token');
    const deps = { ...h.deps, config: { ...h.deps.config, PROVIDER_TIMEOUT_MS: 300 } };
    const before = tokenRequests();
    const started = Date.now();
    const err = await new EnvService(deps, { refresh: { retryBaseMs: 10, attempts: 3, budgetMs: 5_000 } }).credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('provider_unavailable');
    // The refresh waited twice the ordinary 300 ms timeout, not the whole budget.
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Sent once: the request may have reached GitLab, which then rotated the refresh token.
    expect(tokenRequests() - before).toBe(1);
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    expect(stored.needsRelink).toBeUndefined();
    expect(stored.refreshLeaseUntil).toBeUndefined();
  });

  test("a hanging token endpoint, with a budget shorter than the provider timeout: the budget bounds the wait", async () => {
    // Unlink and key rotation refresh with an 8 s budget under a 10 s provider timeout: their
    // provider calls and the link delete must still fit in the function's time.
    const { token } = await expiredLink();
    gl.behavior.hang.add('/oauth/token');
    const deps = { ...h.deps, config: { ...h.deps.config, PROVIDER_TIMEOUT_MS: 3_000 } };
    const started = Date.now();
    const err = await new EnvService(deps, { refresh: { retryBaseMs: 10, attempts: 3, budgetMs: 400 } }).credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('provider_unavailable');
    // Not the 3 s provider timeout (nor twice it): the 400 ms budget, plus the reads around it.
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  test('a lease taken over again and again: no refresh is sent once the budget is spent', async () => {
    // A lease that runs out before every next try makes each turn of the loop take it over
    // rather than wait (the waiting path checks the budget). Here the grant is dead and marking
    // the link never lands (another writer always got there first), and the clock passes the
    // budget after the first refresh: the request must end there, not send the spent token again.
    const { token, old } = await expiredLink();
    gl.tokens.get(old.accessToken)!.revoked = 'revoked';
    const update: LinkStore['update'] = (userId, providerId, version, set, remove) =>
      set.needsRelink ? Promise.reject(new StaleVersion('changed meanwhile', undefined)) : h.deps.links.update(userId, providerId, version, set, remove);
    const links = Object.assign(Object.create(h.deps.links) as LinkStore, { update });
    const now = () => h.clock.now() + (gl.behavior.refreshCalls > 0 ? 60_000 : 0);
    const err = await new EnvService({ ...h.deps, links, now }, { refresh: { leaseMs: 1, budgetMs: 30_000 } }).credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('provider_unavailable');
    expect(gl.behavior.refreshCalls).toBe(1);
  });

  test('an answer slower than the provider timeout is waited for: rotated once, saved, no relink', async () => {
    // The bench under load: GitLab answered after the 10 s timeout; the retry sent the refresh
    // token GitLab had just rotated, got invalid_grant, and the link was marked relink_required.
    const { userId, token, old } = await expiredLink();
    gl.behavior.delayMs['/oauth/token'] = 450; // past the 300 ms timeout, within twice it
    const deps = { ...h.deps, config: { ...h.deps.config, PROVIDER_TIMEOUT_MS: 300 } };
    const answer = await new EnvService(deps, { refresh: { retryBaseMs: 10 } }).credential(token, ask(), ORIGIN);
    expect(gl.behavior.refreshCalls).toBe(1);
    expect(answer.password).not.toBe(old.accessToken);
    expect(live(answer.password)).toBe(true);
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    expect(stored.needsRelink).toBeUndefined();
    expect((await decryptTokens(h.deps.crypto, stored)).accessToken).toBe(answer.password);
  });
});

describe('a refresh whose request may have reached the provider is not sent again', () => {
  let server: Server;
  let url: string;
  let received = 0;
  beforeAll(async () => {
    // Rotates as GitLab does: the first refresh is taken (the token spent), then the connection
    // breaks before the answer; the same refresh token sent again is invalid_grant.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (++received === 1) return req.socket.destroy();
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_grant' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await h.deps.secrets.put('breaks', 'secret');
    await seedProvider(h, { id: 'breaks', type: 'gitlab', baseUrl: url, clientId: 'breaks-client' });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('a connection broken after sending: 502 provider_unavailable, one request, the link not marked', async () => {
    const userId = `dev${++userSeq}`;
    await seedLink(h, userId, 'breaks', { accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt: h.clock.now() - 1 });
    const token = await seedEnvToken(h, userId);
    const err = await new EnvService(h.deps, { refresh: { retryBaseMs: 10 } }).credential(token, { protocol: 'http', host: gitHost(url) }, ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('provider_unavailable');
    expect(received).toBe(1);
    expect((await h.deps.links.get(userId, 'breaks'))!.needsRelink).toBeUndefined();
  });
});

describe('refreshed tokens are saved before anything else can fail (Coder #23473)', () => {
  test('a failure after the refresh leaves the new tokens stored; the next fetch needs no refresh', async () => {
    const { userId, token } = await expiredLink();
    const broken = new EnvService(h.deps);
    jest.spyOn(broken.cache, 'set').mockImplementation(() => {
      throw new Error('boom after refresh');
    });
    await expect(broken.credential(token, ask(), ORIGIN)).rejects.toThrow('boom after refresh');
    expect(gl.behavior.refreshCalls).toBe(1);
    const stored = (await h.deps.links.get(userId, 'gitlab'))!;
    const tokens = await decryptTokens(h.deps.crypto, stored);
    expect(live(tokens.accessToken)).toBe(true);
    const again = await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(again.password).toBe(tokens.accessToken);
    expect(gl.behavior.refreshCalls).toBe(1);
  });
});

describe('an answer without refresh_token keeps the old one (Nango #298)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A provider whose refresh answers carry no refresh_token (RFC 6749 §6 makes it optional).
    let n = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `access-${++n}`, token_type: 'bearer', expires_in: 7200 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await h.deps.secrets.put('quiet', 'secret');
    await seedProvider(h, { id: 'quiet', type: 'gitlab', baseUrl: url, clientId: 'quiet-client' });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the stored refresh token is unchanged and still used next time', async () => {
    const userId = `dev${++userSeq}`;
    await seedLink(h, userId, 'quiet', { accessToken: 'access-0', refreshToken: 'refresh-original', expiresAt: h.clock.now() - 1 });
    const token = await seedEnvToken(h, userId);
    const answer = await new EnvService(h.deps).credential(token, { protocol: 'http', host: gitHost(url) }, ORIGIN);
    expect(answer.password).toBe('access-1');
    const stored = await decryptTokens(h.deps.crypto, (await h.deps.links.get(userId, 'quiet'))!);
    expect(stored).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-original' });
  });
});
