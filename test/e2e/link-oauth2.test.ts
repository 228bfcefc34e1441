/**
 * GitHub and GitLab linking end to end: the local server (same handlers as
 * Lambda, dynalite), fake providers over real HTTP, and a cookie jar playing
 * the browser. ARCHITECTURE.md §3 "Link (OAuth 2.0)" and "Unlink".
 */
import { createHash } from 'node:crypto';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';
import { keys } from '@shared/store/schema';

let stack: LocalStack;
let gh: FakeGitHub;
let gl: FakeGitLab;
let admin: Browser;

beforeAll(async () => {
  stack = await startTestStack({ env: { PROVIDER_TIMEOUT_MS: '700' } });
  gh = await startFakeGitHub({ callbackUrl: `${stack.url}/oauth/callback` });
  gl = await startFakeGitLab();
  admin = await Browser.signIn(stack, 'root', true);
  const made = await Promise.all([
    admin.api('POST', '/v1/admin/providers', {
      id: 'github', type: 'github', displayName: 'GitHub', baseUrl: gh.url, apiUrl: gh.apiUrl,
      clientId: gh.clientId, clientSecret: gh.clientSecret, pkce: true,
    }),
    admin.api('POST', '/v1/admin/providers', {
      id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret,
    }),
  ]);
  for (const m of made) expect(m.status).toBe(201);
});
afterAll(async () => {
  await Promise.all([gh.close(), gl.close()]);
  await stack.close();
});

interface Case {
  id: 'github' | 'gitlab';
  fake: () => FakeGitHub | FakeGitLab;
  /** Default account of the fake. */
  login: string;
  tokenPath: string;
}
const cases: Case[] = [
  { id: 'github', fake: () => gh, login: 'octocat', tokenPath: '/login/oauth/access_token' },
  { id: 'gitlab', fake: () => gl, login: 'tanuki', tokenPath: '/oauth/token' },
];

let userSeq = 0;
const newDeveloper = () => Browser.signIn(stack, `dev${++userSeq}`);

async function startLink(b: Browser, id: string) {
  const r = await b.api('POST', `/v1/links/${id}`);
  expect(r.status).toBe(200);
  return r.json.authorizeUrl as string;
}

/** Start + follow: returns where the browser ended. */
async function link(b: Browser, id: string) {
  return b.navigate(await startLink(b, id));
}

const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

/** The provider's redirect to our callback, captured without following it. */
async function providerRedirect(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`provider did not redirect: ${res.status}`);
  return location;
}

// Every test starts with well-behaved providers.
beforeEach(() => {
  for (const c of cases) {
    const b = c.fake().behavior;
    b.deny = false;
    b.nextUser = c.login;
    b.hang.clear();
    b.apiDown = false;
    b.failKeys = false;
    b.tokenStatus = null;
  }
});

describe.each(cases)('$id', (c) => {

  describe('link, key upload, relink, unlink', () => {
    test('a full link registers the SSH key and shows the account', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-${userSeq}`;
      const end = await link(dev, c.id);
      expect(end.url).toBe(`${stack.url}/?linked=${c.id}`);

      const providers = await dev.api('GET', '/v1/providers');
      expect(providers.json.providers.find((p: { id: string }) => p.id === c.id)).toMatchObject({ linked: true, login: `${c.login}-${userSeq}` });

      const { json: key } = await dev.api('GET', '/v1/me/ssh-key');
      expect(key.publicKey).toMatch(/^ssh-ed25519 /);
      const material = key.publicKey.split(' ').slice(0, 2).join(' ');
      expect(c.fake().keysOf(`${c.login}-${userSeq}`).map((k) => k.key.split(' ').slice(0, 2).join(' '))).toEqual([material]);

      const { json: links } = await dev.api('GET', '/v1/links');
      expect(links.links).toEqual([expect.objectContaining({ providerId: c.id, sshKeyRegistered: true, needsRelink: false })]);
    });

    test('tokens are stored only as ciphertext', async () => {
      const dev = await newDeveloper();
      const login = `${c.login}-enc${userSeq}`;
      c.fake().behavior.nextUser = login;
      await link(dev, c.id);
      const live = c.fake().liveTokensOf(login);
      expect(live.length).toBeGreaterThan(0);
      const item = await stack.table.get(keys.link(`dev${userSeq}`, c.id));
      const raw = JSON.stringify(item);
      const secrets = live.flatMap((t) => [(t as { value?: string }).value, (t as { accessToken?: string }).accessToken, (t as { refreshToken?: string }).refreshToken]);
      expect(secrets.filter(Boolean).length).toBeGreaterThan(0);
      for (const s of secrets.filter(Boolean)) expect(raw).not.toContain(s!);
      expect(item?.accessTokenCt).toEqual(expect.any(String));
    });

    test('RFC 7636: the authorize request carries an S256 challenge and the token request its verifier', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-pkce${userSeq}`;
      const url = new URL(await startLink(dev, c.id));
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      const challenge = url.searchParams.get('code_challenge')!;
      await dev.navigate(url.toString());
      const tokenReq = [...c.fake().requests].reverse().find((r) => r.path === c.tokenPath)!;
      const verifier = new URLSearchParams(tokenReq.body).get('code_verifier')!;
      expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
    });

    test('relinking the same account keeps one key at the provider', async () => {
      const dev = await newDeveloper();
      const login = `${c.login}-re${userSeq}`;
      c.fake().behavior.nextUser = login;
      expect((await link(dev, c.id)).url).toBe(`${stack.url}/?linked=${c.id}`);
      expect((await link(dev, c.id)).url).toBe(`${stack.url}/?linked=${c.id}`);
      expect(c.fake().keysOf(login)).toHaveLength(1);
      const { json } = await dev.api('GET', '/v1/links');
      expect(json.links[0].sshKeyRegistered).toBe(true);
    });

    test('relinking as a different provider account is refused', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-first${userSeq}`;
      await link(dev, c.id);
      c.fake().behavior.nextUser = `${c.login}-second${userSeq}`;
      const end = await link(dev, c.id);
      expect(query(end.url)).toEqual({ error: 'account_mismatch', provider: c.id });
      const { json } = await dev.api('GET', '/v1/providers');
      expect(json.providers.find((p: { id: string }) => p.id === c.id).login).toBe(`${c.login}-first${userSeq}`);
    });

    test('unlink deletes the key, revokes the token and forgets the link', async () => {
      const dev = await newDeveloper();
      const login = `${c.login}-un${userSeq}`;
      c.fake().behavior.nextUser = login;
      await link(dev, c.id);
      expect(c.fake().keysOf(login)).toHaveLength(1);
      const r = await dev.api('DELETE', `/v1/links/${c.id}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ providerId: c.id, sshKey: 'ok', token: 'ok', link: 'deleted' });
      expect(c.fake().keysOf(login)).toHaveLength(0);
      expect(c.fake().liveTokensOf(login)).toHaveLength(0);
      expect((await dev.api('GET', '/v1/links')).json.links).toEqual([]);
      expect((await dev.api('DELETE', `/v1/links/${c.id}`)).json.error.code).toBe('not_linked');
    });

    test('unlink forgets the link even when the provider is down, and says what failed', async () => {
      const dev = await newDeveloper();
      const login = `${c.login}-down${userSeq}`;
      c.fake().behavior.nextUser = login;
      await link(dev, c.id);
      c.fake().behavior.apiDown = true;
      c.fake().behavior.hang.add('/oauth/revoke');
      const r = await dev.api('DELETE', `/v1/links/${c.id}`);
      expect(r.status).toBe(200);
      expect(r.json.sshKey).toBe('failed');
      expect(r.json.link).toBe('deleted');
      expect(r.json.errors.sshKey).toEqual(expect.any(String));
      expect((await dev.api('GET', '/v1/links')).json.links).toEqual([]);
    });
  });

  describe('state is single-use', () => {
    test('replaying a completed callback is refused', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-replay${userSeq}`;
      const callback = await providerRedirect(await startLink(dev, c.id));
      expect((await dev.navigate(callback)).url).toBe(`${stack.url}/?linked=${c.id}`);
      const again = await dev.navigate(callback);
      expect(query(again.url)).toEqual({ error: 'invalid_state' });
    });

    test('20 parallel callbacks with one state give exactly one link', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-race${userSeq}`;
      const callback = await providerRedirect(await startLink(dev, c.id));
      const ends = await Promise.all(Array.from({ length: 20 }, () => dev.navigate(callback)));
      const outcomes = ends.map((e) => query(e.url));
      expect(outcomes.filter((o) => o.linked === c.id)).toHaveLength(1);
      expect(outcomes.filter((o) => o.error === 'invalid_state')).toHaveLength(19);
      expect((await dev.api('GET', '/v1/links')).json.links).toHaveLength(1);
    });

    test('an expired state is refused', async () => {
      const dev = await newDeveloper();
      const authorizeUrl = await startLink(dev, c.id);
      const state = new URL(authorizeUrl).searchParams.get('state')!;
      const key = keys.state(createHash('sha256').update(state).digest('hex'));
      const item = await stack.table.get(key);
      expect(item).toBeDefined();
      // Expiry is enforced on read, whatever DynamoDB TTL has done yet.
      await stack.table.put({ ...item!, ttl: Math.floor(Date.now() / 1000) - 1 });
      const end = await dev.navigate(authorizeUrl);
      expect(query(end.url)).toEqual({ error: 'invalid_state' });
      expect((await dev.api('GET', '/v1/links')).json.links).toEqual([]);
    });

    test('an unknown state is refused', async () => {
      const dev = await newDeveloper();
      const end = await dev.navigate(`${stack.url}/oauth/callback?code=abc&state=never-issued`);
      expect(query(end.url)).toEqual({ error: 'invalid_state' });
    });

    test('a callback with no state is refused', async () => {
      const dev = await newDeveloper();
      expect(query((await dev.navigate(`${stack.url}/oauth/callback?code=abc`)).url)).toEqual({ error: 'invalid_request' });
    });
  });

  describe('browser binding (cross-user session fixation, draft-ietf-oauth-security-topics-update)', () => {
    test("an attacker's authorize URL completed in the victim's browser links nobody", async () => {
      const attacker = await newDeveloper();
      const attackerId = `dev${userSeq}`;
      const victim = await newDeveloper();
      const victimLogin = `${c.login}-victim${userSeq}`;
      // The victim even has a link attempt of their own in flight (their own cookie).
      await startLink(victim, c.id);
      const attackersUrl = await startLink(attacker, c.id);
      c.fake().behavior.nextUser = victimLogin;
      const end = await victim.navigate(attackersUrl);
      expect(query(end.url)).toEqual({ error: 'browser_mismatch', provider: c.id });
      expect((await attacker.api('GET', '/v1/links')).json.links).toEqual([]);
      expect((await victim.api('GET', '/v1/links')).json.links).toEqual([]);
      expect(attackerId).not.toBe(`dev${userSeq}`);
      // The victim's provider account got no key from gitlink.
      expect(c.fake().keysOf(victimLogin)).toEqual([]);
    });

    test('a wrong cookie is refused, and the state is spent', async () => {
      const dev = await newDeveloper();
      const callback = await providerRedirect(await startLink(dev, c.id));
      dev.jar.set(`__Host-gitlink-link-${c.id}`, 'forged-nonce');
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'browser_mismatch', provider: c.id });
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'invalid_state' });
    });

    test('the binding cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, 10 minutes', async () => {
      const dev = await newDeveloper();
      const r = await dev.api('POST', `/v1/links/${c.id}`);
      const cookie = r.res.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(new RegExp(`^__Host-gitlink-link-${c.id}=[A-Za-z0-9_-]{43};`));
      for (const attr of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax', 'Max-Age=600']) expect(cookie).toContain(attr);
      expect(cookie).not.toMatch(/Domain=/i);
    });

    test('the cookie is set only by the authenticated POST: the callback never sets it', async () => {
      const dev = await newDeveloper();
      const res = await fetch(`${stack.url}/oauth/callback?state=x&code=y`, { redirect: 'manual' });
      expect(res.headers.getSetCookie().filter((c2) => !/Max-Age=0/.test(c2))).toEqual([]);
      const unauth = await fetch(`${stack.url}/v1/links/${c.id}`, { method: 'POST' });
      expect(unauth.status).toBe(401);
      expect(unauth.headers.getSetCookie()).toEqual([]);
      void dev;
    });
  });

  describe('provider errors end in a clean redirect and spend the state', () => {
    test('RFC 6749 §4.1.2.1 access_denied', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.deny = true;
      const callback = await providerRedirect(await startLink(dev, c.id));
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'access_denied', provider: c.id });
      c.fake().behavior.deny = false;
      const state = new URL(callback).searchParams.get('state');
      expect(query((await dev.navigate(`${stack.url}/oauth/callback?state=${state}&code=late`)).url)).toEqual({ error: 'invalid_state' });
    });

    test('a bad code is refused by the provider → exchange_failed', async () => {
      const dev = await newDeveloper();
      const callback = new URL(await providerRedirect(await startLink(dev, c.id)));
      callback.searchParams.set('code', 'not-a-real-code');
      expect(query((await dev.navigate(callback.toString())).url)).toEqual({ error: 'exchange_failed', provider: c.id });
    });

    test('a provider that does not answer → provider_timeout', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.hang.add(c.tokenPath);
      const callback = await providerRedirect(await startLink(dev, c.id));
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'provider_timeout', provider: c.id });
      c.fake().behavior.hang.clear();
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'invalid_state' });
    });

    test('a 5xx from the token endpoint → provider_unavailable', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.tokenStatus = 503;
      const callback = await providerRedirect(await startLink(dev, c.id));
      expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'provider_unavailable', provider: c.id });
    });

    test('an unreachable provider → provider_unreachable', async () => {
      const dev = await newDeveloper();
      const callback = await providerRedirect(await startLink(dev, c.id));
      const saved = await admin.api('GET', `/v1/admin/providers/${c.id}`);
      // Another origin: a move, which needs the client secret again (issue 10, attack 3).
      const secret = c.fake().clientSecret;
      expect((await admin.api('PUT', `/v1/admin/providers/${c.id}`, { baseUrl: 'http://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9', clientSecret: secret })).status).toBe(200);
      try {
        expect(query((await dev.navigate(callback)).url)).toEqual({ error: 'provider_unreachable', provider: c.id });
      } finally {
        await admin.api('PUT', `/v1/admin/providers/${c.id}`, { baseUrl: saved.json.baseUrl, apiUrl: saved.json.apiUrl ?? null, clientSecret: secret });
      }
    });

    test('a key upload failure keeps the link and warns', async () => {
      const dev = await newDeveloper();
      c.fake().behavior.nextUser = `${c.login}-kf${userSeq}`;
      c.fake().behavior.failKeys = true;
      const end = await link(dev, c.id);
      expect(query(end.url)).toEqual({ linked: c.id, warning: 'ssh_key_failed' });
      expect((await dev.api('GET', '/v1/links')).json.links[0].sshKeyRegistered).toBe(false);
    });
  });
});

describe('SSH key rotation', () => {
  /** The key text without its comment. */
  const mat = (k: string) => k.split(' ').slice(0, 2).join(' ');
  /** A new developer linked to GitHub (as `{tag}-gh…`) and GitLab (`{tag}-gl…`), and their key before rotating. */
  async function linkedToBoth(tag: string) {
    const dev = await newDeveloper();
    const logins = { gh: `${tag}-gh${userSeq}`, gl: `${tag}-gl${userSeq}` };
    gh.behavior.nextUser = logins.gh;
    gl.behavior.nextUser = logins.gl;
    await link(dev, 'github');
    await link(dev, 'gitlab');
    return { dev, logins, before: (await dev.api('GET', '/v1/me/ssh-key')).json };
  }

  test('uploads the new key everywhere, then deletes the old one', async () => {
    const { dev, logins, before } = await linkedToBoth('rot');
    const r = await dev.api('POST', '/v1/me/ssh-key/rotate');
    expect(r.status).toBe(200);
    expect(r.json.rotated).toBe(true);
    expect(r.json.providers.map((p: { status: string }) => p.status)).toEqual(['rotated', 'rotated']);
    const after = (await dev.api('GET', '/v1/me/ssh-key')).json;
    expect(after.publicKey).not.toBe(before.publicKey);
    expect(gh.keysOf(logins.gh).map((k) => mat(k.key))).toEqual([mat(after.publicKey)]);
    expect(gl.keysOf(logins.gl).map((k) => mat(k.key))).toEqual([mat(after.publicKey)]);
  });

  test('a failure at one provider rolls back and leaves every provider with a key', async () => {
    const { dev, logins, before } = await linkedToBoth('rb');
    gl.behavior.failKeys = true;
    try {
      const r = await dev.api('POST', '/v1/me/ssh-key/rotate');
      expect(r.json.rotated).toBe(false);
      const byId = Object.fromEntries(r.json.providers.map((p: { providerId: string; status: string }) => [p.providerId, p.status]));
      expect(byId).toEqual({ github: 'rolled_back', gitlab: 'failed' });
    } finally {
      gl.behavior.failKeys = false;
    }
    expect((await dev.api('GET', '/v1/me/ssh-key')).json.publicKey).toBe(before.publicKey);
    expect(gh.keysOf(logins.gh).map((k) => mat(k.key))).toEqual([mat(before.publicKey)]);
    expect(gl.keysOf(logins.gl).map((k) => mat(k.key))).toEqual([mat(before.publicKey)]);
  });

  test('an old key that cannot be deleted is reported old_key_kept with the reason; the others rotated', async () => {
    const { dev, logins, before } = await linkedToBoth('kept');
    gl.behavior.failKeyDelete = true;
    let r;
    try {
      r = await dev.api('POST', '/v1/me/ssh-key/rotate');
    } finally {
      gl.behavior.failKeyDelete = false;
    }
    expect(r.status).toBe(200);
    // The new key pair is in force: every provider took it; GitLab still holds the old one too.
    expect(r.json.rotated).toBe(true);
    const byId = Object.fromEntries(r.json.providers.map((p: { providerId: string; status: string }) => [p.providerId, p.status]));
    expect(byId).toEqual({ github: 'rotated', gitlab: 'old_key_kept' });
    expect(r.json.providers.find((p: { providerId: string }) => p.providerId === 'gitlab').error).toEqual(expect.any(String));
    expect(gh.keysOf(logins.gh).map((k) => mat(k.key))).toEqual([mat(r.json.publicKey)]);
    expect(gl.keysOf(logins.gl).map((k) => mat(k.key)).sort()).toEqual([mat(before.publicKey), mat(r.json.publicKey)].sort());
  });
});

describe('provider calls long after linking refresh the token first', () => {
  /** A GitLab link whose access token has expired (2 h later), at gitlink and at GitLab. */
  async function expiredGitLabLink(login: string) {
    const dev = await newDeveloper();
    gl.behavior.nextUser = login;
    await link(dev, 'gitlab');
    const key = keys.link(`dev${userSeq}`, 'gitlab');
    const item = await stack.table.get(key);
    await stack.table.put({ ...item!, expiresAt: Date.now() - 1000 });
    gl.expireAccessTokens();
    gl.behavior.refreshCalls = 0;
    expect(gl.keysOf(login)).toHaveLength(1);
    return dev;
  }

  test('unlink deletes the key and revokes with a refreshed token', async () => {
    const login = `exp-un${userSeq}`;
    const dev = await expiredGitLabLink(login);
    const r = await dev.api('DELETE', '/v1/links/gitlab');
    expect(r.json).toMatchObject({ sshKey: 'ok', token: 'ok' });
    expect(gl.behavior.refreshCalls).toBe(1);
    expect(gl.keysOf(login)).toEqual([]);
    expect(gl.liveTokensOf(login)).toEqual([]);
  });

  test('SSH key rotation works with a refreshed token', async () => {
    const login = `exp-rot${userSeq}`;
    const dev = await expiredGitLabLink(login);
    const r = await dev.api('POST', '/v1/me/ssh-key/rotate');
    expect(r.json.rotated).toBe(true);
    expect(gl.behavior.refreshCalls).toBe(1);
    const mat = (k: string) => k.split(' ').slice(0, 2).join(' ');
    expect(gl.keysOf(login).map((k) => mat(k.key))).toEqual([mat(r.json.publicKey)]);
  });
});

describe('an admin fixing a client secret', () => {
  test('takes effect on the next link (the secret cache follows the provider revision)', async () => {
    await admin.api('POST', '/v1/admin/providers', {
      id: 'gh-fix', type: 'github', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: 'wrong-secret',
    });
    const dev = await newDeveloper();
    gh.behavior.nextUser = `fix${userSeq}`;
    expect(query((await link(dev, 'gh-fix')).url)).toEqual({ error: 'exchange_failed', provider: 'gh-fix' });
    expect((await admin.api('PUT', '/v1/admin/providers/gh-fix', { clientSecret: gh.clientSecret })).status).toBe(200);
    expect(query((await link(dev, 'gh-fix')).url)).toEqual({ linked: 'gh-fix' });
  });

  // The admin API refuses such a provider now; one saved before that rule still must not start a link.
  test('a provider stored without a client secret refuses to start a link', async () => {
    await admin.api('POST', '/v1/admin/providers', { id: 'gh-nosecret', type: 'github', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: gh.clientSecret });
    const item = await stack.table.get(keys.provider('gh-nosecret'));
    await stack.table.put({ ...item!, clientSecretSet: false });
    const dev = await newDeveloper();
    const r = await dev.api('POST', '/v1/links/gh-nosecret');
    expect([r.status, r.json.error.code]).toEqual([409, 'client_secret_missing']);
    expect(r.res.headers.getSetCookie()).toEqual([]);
  });
});

describe('the binding cookie of an attempt in progress', () => {
  test("survives someone else's callback opened in the same browser", async () => {
    const victim = await newDeveloper();
    const attacker = await newDeveloper();
    gh.behavior.nextUser = `keep${userSeq}`;
    const own = await providerRedirect(await startLink(victim, 'github'));
    const foreign = await providerRedirect(await startLink(attacker, 'github'));
    expect(query((await victim.navigate(foreign)).url)).toEqual({ error: 'browser_mismatch', provider: 'github' });
    // The victim's own attempt still completes.
    expect(query((await victim.navigate(own)).url)).toEqual({ linked: 'github' });
  });
});

describe('the local server answers on the loopback name the client used', () => {
  test('a link started on 127.0.0.1 calls back to 127.0.0.1, where its cookie is', async () => {
    const dev = await newDeveloper();
    gl.behavior.nextUser = `ip${userSeq}`;
    const ipStack = { ...stack, url: stack.url.replace('localhost', '127.0.0.1') } as LocalStack;
    const ipDev = new Browser(ipStack, dev.token);
    const start = await ipDev.api('POST', '/v1/links/gitlab');
    expect(new URL(start.json.authorizeUrl).searchParams.get('redirect_uri')).toBe(`${ipStack.url}/oauth/callback`);
    const end = await ipDev.navigate(start.json.authorizeUrl);
    expect(end.url).toBe(`${ipStack.url}/?linked=gitlab`);
  });

  test('a Host header that is not loopback is refused (DNS rebinding)', async () => {
    const dev = await newDeveloper();
    const { request } = await import('node:http');
    const send = (path: string, headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${stack.url}${path}`, { method: 'POST', headers: { host: `evil.example:${stack.port}`, ...headers } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const answer = await send('/v1/links/gitlab', { authorization: `Bearer ${dev.token}` });
    expect(answer.status).toBe(421);
    expect(JSON.parse(answer.body).error.code).toBe('misdirected_request');
    expect(answer.body).not.toContain('authorizeUrl');
    // The dev issuer is behind the same check: a rebound page cannot mint an admin token.
    const mint = await send('/dev/token', { 'content-type': 'application/json' }, '{"sub":"alice","admin":true}');
    expect(mint.status).toBe(421);
    expect(mint.body).not.toContain('token"');
  });
});
