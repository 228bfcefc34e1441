/**
 * Issue 10, attack 3: an admin moves a provider to a host they control. The new
 * origin (a second fake GitLab that records every request) must receive neither
 * the client secret nor any developer's token, and the links are retired:
 * `relink_required` / `provider_moved`, tokens deleted, neither host called.
 *
 * Answers decided for the credential endpoint after a move:
 * - the NEW host: 409 `relink_required` (reason `provider_moved`) for a developer
 *   whose link was retired; the provider is found by its new host;
 * - the OLD host: 409 `relink_required` too, naming the new host (`movedTo`), for
 *   a developer who had a link there (their remotes still point at it); 404
 *   `no_provider` for anyone else, who never had anything there.
 */
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser } from '../support/local';
import { startWorld, type World } from './support/world';

let w: World;
let evil: FakeGitLab;
let bob: Browser;
let bobToken: string;
let oldTokens: string[];

const NEW_SECRET = 'gloas-the-new-hosts-own-secret';

beforeAll(async () => {
  w = await startWorld({ linked: true });
  evil = await startFakeGitLab({ clientSecret: NEW_SECRET });
  bob = await Browser.signIn(w.stack, 'bob');
  bobToken = await newEnvToken(bob);
});
afterAll(async () => {
  await evil.close();
  await w.close();
});

const ask = (token: string, host: string) => askCredential(w.stack, token, { protocol: 'http', host });

test('before the move, the developer gets her token for the provider host', async () => {
  const r = await ask(w.envToken, gitHost(w.gl.url));
  expect(r.status).toBe(200);
  oldTokens = [...w.gl.tokens.values()].flatMap((t) => [t.accessToken, t.refreshToken]);
  expect(oldTokens).toContain(r.json.password);
});

describe('a change of origin needs a new client secret in the same request', () => {
  test('baseUrl to another origin without clientSecret: 409 client_secret_required, nothing changes', async () => {
    const r = await w.admin.api('PUT', '/v1/admin/providers/gitlab', { baseUrl: evil.url });
    expect([r.status, r.json.error.code, r.json.error.field]).toEqual([409, 'client_secret_required', 'clientSecret']);
    expect((await w.admin.api('GET', '/v1/admin/providers/gitlab')).json.baseUrl).toBe(w.gl.url);
    expect((await ask(w.envToken, gitHost(w.gl.url))).status).toBe(200);
  });

  test('apiUrl alone to another origin: refused the same way', async () => {
    const r = await w.admin.api('PUT', '/v1/admin/providers/gitlab', { apiUrl: evil.apiUrl });
    expect([r.status, r.json.error.code]).toEqual([409, 'client_secret_required']);
  });

  test('a change on the same origin (display name, a path) needs no secret and keeps the links', async () => {
    const r = await w.admin.api('PUT', '/v1/admin/providers/gitlab', { displayName: 'Company GitLab', apiUrl: w.gl.apiUrl });
    expect(r.status).toBe(200);
    expect(r.json.moved).toBeUndefined();
    expect((await ask(w.envToken, gitHost(w.gl.url))).status).toBe(200);
  });
});

describe('after the move', () => {
  let oldHostRequests: number;
  beforeAll(async () => {
    oldHostRequests = w.gl.requests.length;
    const r = await w.admin.api('PUT', '/v1/admin/providers/gitlab', { baseUrl: evil.url, apiUrl: null, clientSecret: NEW_SECRET });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ moved: true, relinkRequired: 1, baseUrl: evil.url });
  });

  test('the developer’s link is marked relink_required (provider_moved)', async () => {
    const r = await w.dev.api('GET', '/v1/links');
    expect(r.json.links ?? r.json).toEqual(expect.arrayContaining([expect.objectContaining({ providerId: 'gitlab', needsRelink: true, relinkReason: 'provider_moved' })]));
  });

  test('the OLD host, from a provider list cached before the move: 409 relink_required naming the new host', async () => {
    const r = await ask(w.envToken, gitHost(w.gl.url));
    expect([r.status, r.json.error.code, r.json.error.reason, r.json.error.movedTo]).toEqual([409, 'relink_required', 'provider_moved', gitHost(evil.url)]);
  });

  test('the NEW host: 409 relink_required, the provider found by its new host at once', async () => {
    const r = await ask(w.envToken, gitHost(evil.url));
    expect([r.status, r.json.error.code, r.json.error.reason, r.json.error.providerId]).toEqual([409, 'relink_required', 'provider_moved', 'gitlab']);
  });

  test('the OLD host, from the new list: the same for her; 404 no_provider for a developer who had no link', async () => {
    const r = await ask(w.envToken, gitHost(w.gl.url));
    expect([r.status, r.json.error.code, r.json.error.reason, r.json.error.movedTo]).toEqual([409, 'relink_required', 'provider_moved', gitHost(evil.url)]);
    const other = await ask(bobToken, gitHost(w.gl.url));
    expect([other.status, other.json.error.code]).toEqual([404, 'no_provider']);
  });

  test('SSH-key rotation and unlink call neither host; unlink says what is left at the old one', async () => {
    expect((await w.dev.api('POST', '/v1/me/ssh-key/rotate')).status).toBe(200);
    const r = await w.dev.api('DELETE', '/v1/links/gitlab');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ sshKey: 'skipped', token: 'skipped', link: 'deleted' });
    expect(r.json.errors.provider).toMatch(/old host/);
    expect(w.gl.requests.length).toBe(oldHostRequests);
  });

  test('the new origin has received nothing at all: no secret, no token', () => {
    expect(evil.requests).toEqual([]);
  });

  test('linking again at the new host works, and still carries nothing from the old one', async () => {
    await link(w.dev, 'gitlab');
    const r = await ask(w.envToken, gitHost(evil.url));
    expect(r.status).toBe(200);
    expect(oldTokens).not.toContain(r.json.password);
    // The old host never gets the new host's token either.
    expect((await ask(w.envToken, gitHost(w.gl.url))).status).toBe(409);
    const seen = JSON.stringify(evil.requests);
    for (const t of [...oldTokens, w.gl.clientSecret]) expect(seen).not.toContain(t);
    expect(w.gl.requests.length).toBe(oldHostRequests);
  });
});
