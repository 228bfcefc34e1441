/**
 * The provider config API (`provider-config`): admin only, validation that
 * names the field, write-only client secrets, the URLs to paste into the
 * provider, and deletion that removes the secret and reports the links.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';

let stack: LocalStack;
let admin: Browser;
let gh: FakeGitHub;

beforeAll(async () => {
  stack = await startTestStack();
  admin = await Browser.signIn(stack, 'root', true);
  gh = await startFakeGitHub({ callbackUrl: `${stack.url}/oauth/callback` });
});
afterAll(async () => {
  await gh.close();
  await stack.close();
});

const base = { type: 'github', displayName: 'GitHub', baseUrl: 'https://github.com', clientId: 'Iv1.abc', clientSecret: 's3cr3t-value' };
const secretsFile = () => readFileSync(join(process.env.GITLINK_DATA_DIR!, 'secrets.json'), 'utf8');

describe('admin only', () => {
  test('a developer gets 403 on every admin route', async () => {
    const dev = await Browser.signIn(stack, 'dev');
    for (const [m, p] of [['GET', '/v1/admin/providers'], ['POST', '/v1/admin/providers'], ['GET', '/v1/admin/providers/x'], ['PUT', '/v1/admin/providers/x'], ['DELETE', '/v1/admin/providers/x']] as const) {
      const r = await dev.api(m, p, m === 'POST' || m === 'PUT' ? base : undefined);
      expect([r.status, r.json.error.code]).toEqual([403, 'forbidden']);
    }
  });
});

describe('create and read', () => {
  test('github.com: defaults, the URLs to register, and a write-only secret', async () => {
    const r = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'gh-com' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      id: 'gh-com',
      type: 'github',
      clientSecretSet: true,
      scopes: ['repo', 'admin:public_key', 'read:user'],
      pkce: true,
      homepageUrl: stack.url,
      callbackUrl: `${stack.url}/oauth/callback`,
    });
    expect(JSON.stringify(r.json)).not.toContain('s3cr3t-value');
    expect(JSON.stringify((await admin.api('GET', '/v1/admin/providers/gh-com')).json)).not.toContain('s3cr3t-value');
    expect(JSON.stringify((await admin.api('GET', '/v1/admin/providers')).json)).not.toContain('s3cr3t-value');
    expect(secretsFile()).toContain('s3cr3t-value');
  });

  test('GitHub Enterprise Server: PKCE off by default; GitLab: PKCE on', async () => {
    const ghes = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'ghes', baseUrl: 'https://github.example.com' });
    expect(ghes.json.pkce).toBe(false);
    const gl = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'gl', type: 'gitlab', baseUrl: 'https://gitlab.example.com/' });
    expect(gl.json).toMatchObject({ pkce: true, scopes: ['api', 'read_user', 'write_repository'], baseUrl: 'https://gitlab.example.com' });
  });

  test('a duplicate id is 409 provider_exists', async () => {
    await admin.api('POST', '/v1/admin/providers', { ...base, id: 'dup' });
    const r = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'dup' });
    expect([r.status, r.json.error.code]).toEqual([409, 'provider_exists']);
  });

  test('developers see public fields only', async () => {
    await admin.api('POST', '/v1/admin/providers', { ...base, id: 'pub' });
    const dev = await Browser.signIn(stack, 'dev2');
    const r = await dev.api('GET', '/v1/providers');
    const p = r.json.providers.find((x: { id: string }) => x.id === 'pub');
    expect(p).toEqual({ id: 'pub', type: 'github', displayName: 'GitHub', baseUrl: 'https://github.com', gitOverHttps: true, linked: false });
  });
});

describe('validation names the field', () => {
  test.each([
    ['id', { id: 'Bad_Id' }],
    ['id', { id: 'a'.repeat(33) }],
    ['type', { type: 'svn' }],
    ['baseUrl', { baseUrl: 'http://github.example.com' }],
    ['baseUrl', { baseUrl: 'https://user:pw@github.example.com' }],
    ['baseUrl', { baseUrl: 'https://github.example.com/?x=1' }],
    ['baseUrl', { baseUrl: 'https://github.example.com/#frag' }],
    ['baseUrl', { baseUrl: 'javascript:alert(1)' }],
    ['baseUrl', { baseUrl: 'not a url' }],
    ['displayName', { displayName: '' }],
    ['scopes', { scopes: ['repo', 'bad"scope'] }],
    ['clientId', { clientId: undefined }],
    ['baseUrl', { type: 'gitlab', baseUrl: 'ftp://gitlab.example.com' }],
  ])('%s', async (field, patch) => {
    const r = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'valid', ...patch });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_request');
    expect(r.json.error.field ?? r.json.error.message).toContain(field);
  });

  // A provider that cannot link, or that the next `npm start` deletes, is refused up front.
  test.each([
    ['github', 'clientSecret', { clientSecret: undefined }],
    ['gitlab', 'clientSecret', { clientSecret: undefined }],
    ['bitbucket-dc', 'clientSecret', { clientSecret: undefined, baseUrl: 'https://bitbucket.example.com' }],
    ['bitbucket-cloud', 'clientSecret', { clientSecret: '' }],
    ['github', 'id', { id: 'sandbox-github' }],
    ['gitlab', 'id', { id: 'sandbox-mine' }],
    ['bitbucket-server', 'id', { id: 'sandbox-bbs', baseUrl: 'https://bitbucket.example.com' }],
  ])('%s: %s is refused with a 400 naming it, and nothing is stored', async (type, field, patch) => {
    const body: Record<string, unknown> = { ...base, id: 'refused', type, ...patch };
    const r = await admin.api('POST', '/v1/admin/providers', body);
    expect([r.status, r.json.error.code, r.json.error.field]).toEqual([400, 'invalid_request', field]);
    expect((await admin.api('GET', `/v1/admin/providers/${String(body.id)}`)).status).toBe(404);
  });

  test('display name, base URL and scopes have sensible defaults and forms', async () => {
    const r = await admin.api('POST', '/v1/admin/providers', { id: 'terse', type: 'gitlab', clientId: 'c', clientSecret: 's', scopes: 'api read_user' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ displayName: 'GitLab', baseUrl: 'https://gitlab.com', scopes: ['api', 'read_user'] });
  });

  test('http is allowed for loopback hosts in local mode', async () => {
    const r = await admin.api('POST', '/v1/admin/providers', { ...base, id: 'loop', baseUrl: 'http://127.0.0.1:1234' });
    expect(r.status).toBe(201);
  });

  test('a body that is not JSON is a clean 400', async () => {
    const res = await fetch(`${stack.url}/v1/admin/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
  });
});

describe('update', () => {
  test('changes fields, rotates the secret, refuses to change id or type', async () => {
    await admin.api('POST', '/v1/admin/providers', { ...base, id: 'upd', clientSecret: 'first-secret-0' });
    expect((await admin.api('GET', '/v1/admin/providers/upd')).json.clientSecretSet).toBe(true);
    const r = await admin.api('PUT', '/v1/admin/providers/upd', { displayName: 'GitHub (new)', clientSecret: 'rotated-secret-1' });
    expect(r.json).toMatchObject({ displayName: 'GitHub (new)', clientSecretSet: true });
    expect(JSON.stringify(r.json)).not.toContain('rotated-secret-1');
    expect(secretsFile()).toContain('rotated-secret-1');
    expect(secretsFile()).not.toContain('first-secret-0');
    // An update without a secret keeps the one stored.
    expect((await admin.api('PUT', '/v1/admin/providers/upd', { displayName: 'GitHub' })).json.clientSecretSet).toBe(true);
    expect(secretsFile()).toContain('rotated-secret-1');
    expect((await admin.api('PUT', '/v1/admin/providers/upd', { type: 'gitlab' })).json.error.field).toBe('type');
    expect((await admin.api('PUT', '/v1/admin/providers/upd', { id: 'other' })).json.error.field).toBe('id');
    expect((await admin.api('PUT', '/v1/admin/providers/nope', { displayName: 'x' })).status).toBe(404);
  });
});

describe('delete', () => {
  test('deletes the secret and the links, and says how many links it had', async () => {
    await admin.api('POST', '/v1/admin/providers', {
      id: 'gone', type: 'github', displayName: 'Fake', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: gh.clientSecret,
    });
    for (const who of ['u1', 'u2']) {
      const dev = await Browser.signIn(stack, who);
      gh.behavior.nextUser = `del-${who}`;
      const start = await dev.api('POST', '/v1/links/gone');
      expect((await dev.navigate(start.json.authorizeUrl)).url).toBe(`${stack.url}/?linked=gone`);
    }
    expect(secretsFile()).toContain(gh.clientSecret);
    const r = await admin.api('DELETE', '/v1/admin/providers/gone');
    expect(r.json).toEqual({ deleted: 'gone', links: 2, homepageUrl: stack.url, callbackUrl: `${stack.url}/oauth/callback` });
    expect(secretsFile()).not.toContain('gitlink/providers/gone');
    expect((await admin.api('GET', '/v1/admin/providers/gone')).status).toBe(404);
    const dev = await Browser.signIn(stack, 'u1');
    expect((await dev.api('GET', '/v1/links')).json.links).toEqual([]);
  });
});
