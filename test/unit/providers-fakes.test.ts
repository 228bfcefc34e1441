/**
 * The fake providers are the proof of our provider code, so they must behave as github.com and
 * gitlab.com do. Each test pins one documented behaviour (see the links in test/providers/).
 */
import { generateKeyPairSync } from 'node:crypto';
import { pkceChallenge } from '../providers/common';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';

const CALLBACK = 'https://gitlink.example/oauth/callback';
const VERIFIER = 'v'.repeat(43) + 'erifier-0123456789';

function sshEd25519(comment = 'dev@gitlink'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  // RFC 4253 §6.6: string "ssh-ed25519", string key; each string is uint32 length + bytes.
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

async function redirectOf(url: string, init?: RequestInit): Promise<URL> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!);
}

describe('fake GitHub', () => {
  let gh: FakeGitHub;
  beforeEach(async () => { gh = await startFakeGitHub({ tokenExpiry: false }); });
  afterEach(() => gh.close());

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `${gh.url}/login/oauth/authorize?` + new URLSearchParams({
      client_id: gh.clientId, redirect_uri: CALLBACK, scope: 'repo admin:public_key read:user', state: 'st-1', ...extra,
    });
  const codeFor = async (extra: Record<string, string> = {}) => (await redirectOf(authorizeUrl(extra))).searchParams.get('code')!;
  const exchange = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${gh.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ client_id: gh.clientId, client_secret: gh.clientSecret, redirect_uri: CALLBACK, ...body }),
    });

  describe('authorize (authorizing-oauth-apps step 1)', () => {
    it('redirects back with code and state', async () => {
      const loc = await redirectOf(authorizeUrl());
      expect(`${loc.origin}${loc.pathname}`).toBe(CALLBACK);
      expect(loc.searchParams.get('state')).toBe('st-1');
      expect(loc.searchParams.get('code')).toMatch(/^[0-9a-f]{20}$/);
    });
    it('answers a 404 page, not a redirect, for an unknown client_id', async () => {
      const r = await fetch(authorizeUrl({ client_id: 'nope' }), { redirect: 'manual' });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('text/html');
    });
    it('redirects with error=access_denied and the state when the user denies', async () => {
      gh.behavior.deny = true;
      const loc = await redirectOf(authorizeUrl());
      expect(loc.searchParams.get('error')).toBe('access_denied');
      expect(loc.searchParams.get('state')).toBe('st-1');
      expect(loc.searchParams.get('code')).toBeNull();
    });
  });

  describe('token endpoint quirks', () => {
    it('answers form-encoded by default, with comma-separated scopes', async () => {
      const r = await exchange({ code: await codeFor() });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
      const text = await r.text();
      expect(text).toMatch(/^access_token=gho_[A-Za-z0-9]{36}&scope=repo%2Cadmin%3Apublic_key%2Cread%3Auser&token_type=bearer$/);
    });
    it('answers JSON when the client sends Accept: application/json', async () => {
      const r = await exchange({ code: await codeFor() }, { accept: 'application/json' });
      expect(r.headers.get('content-type')).toContain('application/json');
      const body = await r.json();
      expect(body).toEqual({ access_token: expect.stringMatching(/^gho_/), scope: 'repo,admin:public_key,read:user', token_type: 'bearer' });
    });
    it('answers a bad code with HTTP 200 and error=bad_verification_code (form and JSON)', async () => {
      const form = await exchange({ code: 'deadbeef' });
      expect(form.status).toBe(200);
      expect(Object.fromEntries(new URLSearchParams(await form.text()))).toMatchObject({ error: 'bad_verification_code' });
      const json = await exchange({ code: 'deadbeef' }, { accept: 'application/json' });
      expect(json.status).toBe(200);
      expect(await json.json()).toEqual({
        error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.',
        error_uri: expect.stringContaining('#bad-verification-code'),
      });
    });
    it('accepts a JSON body and HTTP Basic client authentication', async () => {
      const code = await codeFor();
      const r = await fetch(`${gh.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Basic ' + Buffer.from(`${gh.clientId}:${gh.clientSecret}`).toString('base64') },
        body: JSON.stringify({ code, redirect_uri: CALLBACK }),
      });
      expect((await r.json()).access_token).toMatch(/^gho_/);
      expect(gh.requests.at(-1)?.headers.authorization).toMatch(/^Basic /);
    });
    it('rejects wrong client credentials with incorrect_client_credentials', async () => {
      const r = await exchange({ code: await codeFor(), client_secret: 'wrong' }, { accept: 'application/json' });
      expect(r.status).toBe(200);
      expect((await r.json()).error).toBe('incorrect_client_credentials');
    });
  });

  describe('code is single-use and bound', () => {
    it('refuses the second exchange of the same code', async () => {
      const code = await codeFor();
      expect((await (await exchange({ code }, { accept: 'application/json' })).json()).access_token).toBeDefined();
      expect((await (await exchange({ code }, { accept: 'application/json' })).json()).error).toBe('bad_verification_code');
    });
    it('refuses a different redirect_uri than the one authorized', async () => {
      const r = await exchange({ code: await codeFor(), redirect_uri: 'https://evil.example/cb' }, { accept: 'application/json' });
      expect((await r.json()).error).toBe('redirect_uri_mismatch');
    });
  });

  describe('RFC 7636 PKCE', () => {
    const pkce = { code_challenge: pkceChallenge(VERIFIER), code_challenge_method: 'S256' };
    it('accepts the matching verifier', async () => {
      const r = await exchange({ code: await codeFor(pkce), code_verifier: VERIFIER }, { accept: 'application/json' });
      expect((await r.json()).access_token).toMatch(/^gho_/);
    });
    it('rejects a wrong or missing verifier (HTTP 200 error, the GitHub way)', async () => {
      const wrong = await exchange({ code: await codeFor(pkce), code_verifier: VERIFIER.replace('v', 'w') }, { accept: 'application/json' });
      expect(wrong.status).toBe(200);
      expect((await wrong.json()).error).toBe('bad_verification_code');
      const none = await exchange({ code: await codeFor(pkce) }, { accept: 'application/json' });
      expect((await none.json()).error).toBe('bad_verification_code');
    });
    it('refuses the plain method (GitHub accepts only S256)', async () => {
      const loc = await redirectOf(authorizeUrl({ code_challenge: VERIFIER, code_challenge_method: 'plain' }));
      expect(loc.searchParams.get('error')).toBe('invalid_request');
    });
  });

  describe('REST API', () => {
    const api = (path: string, token: string, init: RequestInit = {}) =>
      fetch(`${gh.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

    it('serves /user under apiUrl for both auth schemes; 401 Bad credentials otherwise', async () => {
      expect(gh.apiUrl).toBe(`${gh.url}/api`);
      const { accessToken } = gh.mintToken('octocat');
      expect(await (await api('/user', accessToken)).json()).toMatchObject({ login: 'octocat', id: 583231 });
      const r = await fetch(`${gh.apiUrl}/user`, { headers: { authorization: `token ${accessToken}` } });
      expect(r.headers.get('x-oauth-scopes')).toBe('repo, admin:public_key, read:user');
      const bad = await api('/user', 'gho_nope');
      expect(bad.status).toBe(401);
      expect((await bad.json()).message).toBe('Bad credentials');
    });
    it('creates a key (201), refuses the same key material anywhere with 422, deletes with 204', async () => {
      const key = sshEd25519('laptop');
      const { accessToken } = gh.mintToken('octocat');
      const created = await api('/user/keys', accessToken, { method: 'POST', body: JSON.stringify({ title: 'gitlink', key }) });
      expect(created.status).toBe(201);
      const k = await created.json();
      expect(k).toMatchObject({ id: expect.any(Number), title: 'gitlink', key: key.split(' ').slice(0, 2).join(' ') });
      gh.addUser('hubot', 2);
      const other = gh.mintToken('hubot').accessToken;
      const dup = await api('/user/keys', other, { method: 'POST', body: JSON.stringify({ title: 'x', key: key.replace('laptop', 'other-comment') }) });
      expect(dup.status).toBe(422);
      expect(await dup.json()).toMatchObject({
        message: 'Validation Failed',
        errors: [{ resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is already in use' }],
      });
      expect((await api(`/user/keys/${k.id}`, other, { method: 'DELETE' })).status).toBe(404);
      expect((await api(`/user/keys/${k.id}`, accessToken, { method: 'DELETE' })).status).toBe(204);
      expect(gh.keysOf('octocat')).toEqual([]);
    });
    it('answers 404 (not 403) when the token lacks the key scope', async () => {
      const { accessToken } = gh.mintToken('octocat', ['read:user']);
      const r = await api('/user/keys', accessToken, { method: 'POST', body: JSON.stringify({ title: 't', key: sshEd25519() }) });
      expect(r.status).toBe(404);
      expect(r.headers.get('x-accepted-oauth-scopes')).toContain('write:public_key');
    });
    it('grant DELETE revokes every token of the grant and deletes the keys the app created', async () => {
      const a = gh.mintToken('octocat').accessToken;
      const b = gh.mintToken('octocat').accessToken;
      await api('/user/keys', a, { method: 'POST', body: JSON.stringify({ title: 'gitlink', key: sshEd25519() }) });
      expect(gh.keysOf('octocat')).toHaveLength(1);
      const revoke = () => fetch(`${gh.apiUrl}/applications/${gh.clientId}/grant`, {
        method: 'DELETE',
        headers: { authorization: 'Basic ' + Buffer.from(`${gh.clientId}:${gh.clientSecret}`).toString('base64'), 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: b }),
      });
      expect((await revoke()).status).toBe(204);
      expect(gh.keysOf('octocat')).toEqual([]);
      expect((await api('/user', a)).status).toBe(401);
      expect((await api('/user', b)).status).toBe(401);
      expect((await revoke()).status).toBe(404);
    });
  });

  describe('behavior switches', () => {
    it('forces a token-endpoint status a given number of times', async () => {
      gh.behavior.tokenStatus = 503;
      gh.behavior.tokenStatusTimes = 1;
      expect((await exchange({ code: await codeFor() })).status).toBe(503);
      expect((await exchange({ code: await codeFor() })).status).toBe(200);
    });
    it('hangs the chosen paths (the client must time out) and takes the API down', async () => {
      gh.behavior.hang.add('/login/oauth/access_token');
      await expect(fetch(`${gh.url}/login/oauth/access_token`, { method: 'POST', signal: AbortSignal.timeout(200) })).rejects.toThrow();
      gh.behavior.apiDown = true;
      expect((await fetch(`${gh.apiUrl}/user`)).status).toBe(503);
    });
    it('fails key uploads on demand', async () => {
      gh.behavior.failKeys = true;
      const { accessToken } = gh.mintToken('octocat');
      const r = await fetch(`${gh.apiUrl}/user/keys`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 't', key: sshEd25519() }) });
      expect(r.status).toBe(500);
    });
  });
});

describe('fake GitHub: GitHub App expiring user tokens', () => {
  let gh: FakeGitHub;
  beforeEach(async () => { gh = await startFakeGitHub({ tokenExpiry: true, enterprise: true }); });
  afterEach(() => gh.close());

  const post = (body: Record<string, string>) => fetch(`${gh.url}/login/oauth/access_token`, {
    method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: gh.clientId, client_secret: gh.clientSecret, ...body }),
  });

  it('serves the GHES API under /api/v3', () => {
    expect(gh.apiUrl).toBe(`${gh.url}/api/v3`);
  });
  it('issues ghu_/ghr_ tokens with expires_in 28800; a refresh token works once and retires the old access token', async () => {
    const loc = await redirectOf(`${gh.url}/login/oauth/authorize?` + new URLSearchParams({ client_id: gh.clientId, redirect_uri: CALLBACK, state: 's' }));
    const first = await (await post({ code: loc.searchParams.get('code')!, redirect_uri: CALLBACK })).json();
    expect(first).toEqual({
      access_token: expect.stringMatching(/^ghu_/), expires_in: 28800, refresh_token: expect.stringMatching(/^ghr_/),
      refresh_token_expires_in: 15897600, scope: '', token_type: 'bearer',
    });
    const second = await (await post({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).json();
    expect(second.access_token).not.toBe(first.access_token);
    expect((await fetch(`${gh.apiUrl}/user`, { headers: { authorization: `Bearer ${first.access_token}` } })).status).toBe(401);
    expect((await fetch(`${gh.apiUrl}/user`, { headers: { authorization: `Bearer ${second.access_token}` } })).status).toBe(200);
    const reuse = await post({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(200);
    expect((await reuse.json()).error).toBe('bad_refresh_token');
    expect(gh.behavior.refreshCalls).toBe(2);
  });
});

describe('fake GitHub: sandbox approve page', () => {
  let gh: FakeGitHub;
  beforeEach(async () => { gh = await startFakeGitHub({ mode: 'page' }); });
  afterEach(() => gh.close());

  it('renders a labelled, script-free form; Approve returns a code, Deny returns access_denied', async () => {
    const page = await fetch(`${gh.url}/login/oauth/authorize?` + new URLSearchParams({ client_id: gh.clientId, redirect_uri: CALLBACK, state: 's', scope: 'repo' }));
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/id="username"[^>]*value="octocat"/);
    expect(html).toMatch(/id="approve"/);
    expect(html).toMatch(/id="deny"/);
    const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
    const submit = (decision: string, id: string) => redirectOf(`${gh.url}/login/oauth/authorize/decision`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: id, username: 'mona', decision }),
    });
    const ok = await submit('approve', requestId);
    expect(ok.searchParams.get('code')).toBeTruthy();
    expect(gh.users.has('mona')).toBe(true);
    const again = await (await fetch(`${gh.url}/login/oauth/authorize?` + new URLSearchParams({ client_id: gh.clientId, redirect_uri: CALLBACK, state: 's2' }))).text();
    const denied = await submit('deny', /name="request_id" value="([^"]+)"/.exec(again)![1]!);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('s2');
  });
});

describe('fake GitLab', () => {
  let gl: FakeGitLab;
  beforeEach(async () => { gl = await startFakeGitLab(); });
  afterEach(() => gl.close());

  const codeFor = async (extra: Record<string, string> = {}) => (await redirectOf(`${gl.url}/oauth/authorize?` + new URLSearchParams({
    client_id: gl.clientId, redirect_uri: CALLBACK, response_type: 'code', state: 'st', scope: 'api read_user write_repository',
    code_challenge: pkceChallenge(VERIFIER), code_challenge_method: 'S256', ...extra,
  }))).searchParams.get('code')!;
  const token = (body: Record<string, string>) => fetch(`${gl.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: gl.clientId, client_secret: gl.clientSecret, redirect_uri: CALLBACK, ...body }),
  });
  const linked = async () => (await (await token({ grant_type: 'authorization_code', code: await codeFor(), code_verifier: VERIFIER })).json()) as {
    access_token: string; refresh_token: string;
  };
  const api = (path: string, accessToken: string, init: RequestInit = {}) =>
    fetch(`${gl.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', ...init.headers } });

  describe('authorization code + RFC 7636 PKCE', () => {
    it('answers JSON with Bearer, 2 h expiry, space-separated scope and created_at', async () => {
      const r = await token({ grant_type: 'authorization_code', code: await codeFor(), code_verifier: VERIFIER });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({
        access_token: expect.stringMatching(/^[0-9a-f]{64}$/), token_type: 'Bearer', expires_in: 7200,
        refresh_token: expect.stringMatching(/^[0-9a-f]{64}$/), scope: 'api read_user write_repository', created_at: expect.any(Number),
      });
    });
    it('rejects a wrong or missing verifier with HTTP 400 invalid_grant (RFC 6749 §5.2)', async () => {
      const code = await codeFor();
      const wrong = await token({ grant_type: 'authorization_code', code, code_verifier: VERIFIER.replace('v', 'w') });
      expect(wrong.status).toBe(400);
      expect((await wrong.json()).error).toBe('invalid_grant');
      expect((await (await token({ grant_type: 'authorization_code', code })).json()).error).toBe('invalid_grant');
    });
    it('makes the code single-use and binds it to redirect_uri', async () => {
      const code = await codeFor();
      expect((await token({ grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: 'https://evil.example/cb' })).status).toBe(400);
      expect((await token({ grant_type: 'authorization_code', code, code_verifier: VERIFIER })).status).toBe(200);
      const again = await token({ grant_type: 'authorization_code', code, code_verifier: VERIFIER });
      expect(again.status).toBe(400);
      expect((await again.json()).error).toBe('invalid_grant');
    });
    it('answers invalid_client with 401', async () => {
      const r = await token({ grant_type: 'authorization_code', code: await codeFor(), code_verifier: VERIFIER, client_secret: 'nope' });
      expect(r.status).toBe(401);
      expect((await r.json()).error).toBe('invalid_client');
    });
    it('redirects a denial with access_denied', async () => {
      gl.behavior.deny = true;
      const loc = await redirectOf(`${gl.url}/oauth/authorize?` + new URLSearchParams({ client_id: gl.clientId, redirect_uri: CALLBACK, response_type: 'code', state: 'st' }));
      expect(loc.searchParams.get('error')).toBe('access_denied');
      expect(loc.searchParams.get('state')).toBe('st');
    });
  });

  describe('refresh-token rotation', () => {
    it('rotates both tokens; the old access and refresh tokens stop working', async () => {
      const first = await linked();
      const r = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(r.status).toBe(200);
      const second = await r.json();
      expect(second.refresh_token).not.toBe(first.refresh_token);
      const old = await api('/user', first.access_token);
      expect(old.status).toBe(401);
      expect((await old.json()).error_description).toBe('Token was revoked. You have to re-authorize from the user.');
      expect((await api('/user', second.access_token)).status).toBe(200);
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(reuse.status).toBe(400);
      expect((await reuse.json()).error).toBe('invalid_grant');
      expect(gl.behavior.refreshCalls).toBe(2);
    });
    it('requires redirect_uri on refresh', async () => {
      const first = await linked();
      const r = await fetch(`${gl.url}/oauth/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: gl.clientId, client_secret: gl.clientSecret, grant_type: 'refresh_token', refresh_token: first.refresh_token }),
      });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('invalid_request');
    });
    it('expires access tokens on demand and honours accessTokenTtlSeconds', async () => {
      const first = await linked();
      gl.expireAccessTokens();
      const r = await api('/user', first.access_token);
      expect(r.status).toBe(401);
      expect((await r.json()).error_description).toMatch(/^Token is expired/);
      gl.behavior.accessTokenTtlSeconds = 1;
      const refreshed = await (await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).json();
      expect(refreshed.expires_in).toBe(1);
    });
  });

  it('revokes a token pair with /oauth/revoke (200 {}), and answers 200 {} for an unknown token', async () => {
    const t = await linked();
    const revoke = (value: string) => fetch(`${gl.url}/oauth/revoke`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: gl.clientId, client_secret: gl.clientSecret, token: value }),
    });
    const r = await revoke(t.access_token);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({});
    expect((await api('/user', t.access_token)).status).toBe(401);
    expect((await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token })).status).toBe(400);
    expect((await revoke('unknown')).status).toBe(200);
  });

  describe('REST API v4', () => {
    it('answers /user, and 401 {"message":"401 Unauthorized"} without a valid token', async () => {
      const t = await linked();
      expect(await (await api('/user', t.access_token)).json()).toMatchObject({ id: 4242, username: 'tanuki' });
      const r = await fetch(`${gl.apiUrl}/user`);
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ message: '401 Unauthorized' });
    });
    it('creates a key (201), refuses a duplicate with 400, deletes with 204 then 404', async () => {
      const t = await linked();
      const key = sshEd25519();
      const created = await api('/user/keys', t.access_token, { method: 'POST', body: JSON.stringify({ title: 'gitlink', key }) });
      expect(created.status).toBe(201);
      const k = await created.json();
      expect(k).toMatchObject({ title: 'gitlink', key });
      const dup = await api('/user/keys', gl.mintToken('other').accessToken, { method: 'POST', body: JSON.stringify({ title: 'again', key: key.replace('dev@gitlink', 'x') }) });
      expect(dup.status).toBe(400);
      expect(await dup.json()).toEqual({ message: { fingerprint_sha256: ['has already been taken'] } });
      expect((await api(`/user/keys/${k.id}`, t.access_token, { method: 'DELETE' })).status).toBe(204);
      const gone = await api(`/user/keys/${k.id}`, t.access_token, { method: 'DELETE' });
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({ message: '404 Key Not Found' });
    });
    it('answers 403 insufficient_scope when a read_user token uploads a key', async () => {
      const { accessToken } = gl.mintToken('tanuki', { scopes: ['read_user'] });
      const r = await api('/user/keys', accessToken, { method: 'POST', body: JSON.stringify({ title: 't', key: sshEd25519() }) });
      expect(r.status).toBe(403);
      expect(await r.json()).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
    });
  });

  it('records every request with its Authorization header', async () => {
    const t = await linked();
    await api('/user', t.access_token);
    const last = gl.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', path: '/api/v4/user' });
    expect(last.headers.authorization).toBe(`Bearer ${t.access_token}`);
  });
});
