/**
 * Bitbucket Cloud end to end: the local server against the fake bitbucket.org / api.bitbucket.org,
 * which takes client credentials by HTTP Basic only, answers `scopes` (plural), identifies accounts
 * and keys by braced UUIDs, and refuses a key registered anywhere with 400.
 */
import type { LocalStack } from '../../local/app';
import { providerFor } from '@shared/providers';
import type { ProviderConfig, ProviderContext } from '@shared/providers/types';
import { parseBasicAuth } from '../providers/common';
import { startFakeBitbucketCloud, type FakeBitbucketCloud } from '../providers/bitbucket-cloud';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let cloud: FakeBitbucketCloud;
let admin: Browser;
let created: Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack();
  cloud = await startFakeBitbucketCloud({ callbackUrl: 'http://localhost' });
  admin = await Browser.signIn(stack, 'root', true);
  const res = await admin.api('POST', '/v1/admin/providers', {
    id: 'bbc', type: 'bitbucket-cloud', displayName: 'Bitbucket Cloud', baseUrl: cloud.url, // no apiUrl: a non-bitbucket.org base URL serves the API at {baseUrl}/2.0
    clientId: cloud.clientId, clientSecret: cloud.clientSecret,
  });
  expect(res.status).toBe(201);
  created = res.json;
});
afterAll(async () => {
  await cloud?.close();
  await stack?.close();
});

async function link(b: Browser, nickname: string) {
  cloud.behavior.nextUser = nickname;
  const start = await b.api('POST', '/v1/links/bbc');
  expect(start.status).toBe(200);
  return new URL((await b.navigate(start.json.authorizeUrl)).url);
}
const linksOf = async (b: Browser) => (await b.api('GET', '/v1/links')).json.links as Array<Record<string, any>>;

test('defaults: repository:write account:write, no PKCE', () => {
  expect(created).toMatchObject({ type: 'bitbucket-cloud', scopes: ['repository:write', 'account:write'], pkce: false, clientSecretSet: true });
});

describe('link, key upload, unlink', () => {
  test('the code is exchanged with HTTP Basic client auth; identity is the braced UUID; unlink deletes the key, revoke unsupported', async () => {
    const dev = await Browser.signIn(stack, 'cloud-dev-1');
    const pat = cloud.addUser('pat');
    expect((await link(dev, 'pat')).searchParams.get('linked')).toBe('bbc');

    const exchange = cloud.requests.find((r) => r.path === '/site/oauth2/access_token')!;
    expect(parseBasicAuth(exchange.headers.authorization)).toEqual({ user: cloud.clientId, pass: cloud.clientSecret });
    expect(new URLSearchParams(exchange.body).get('client_secret')).toBeNull();

    const l = (await linksOf(dev))[0]!;
    expect(l).toMatchObject({ providerId: 'bbc', login: 'pat', accountId: pat.uuid, sshKeyRegistered: true, scopes: ['repository:write', 'account:write'] });
    // Tokens last 2 h.
    expect(new Date(l.expiresAt).getTime() - new Date(l.linkedAt).getTime()).toBeGreaterThan(7100_000);
    const { publicKey } = (await dev.api('GET', '/v1/me/ssh-key')).json;
    expect(cloud.keysOf('pat').map((k) => k.key)).toEqual([publicKey.trim()]);
    const upload = cloud.requests.find((r) => r.method === 'POST' && r.path.endsWith('/ssh-keys'))!;
    expect(upload.path).toBe(`/2.0/users/${encodeURIComponent(pat.uuid)}/ssh-keys`);

    const out = await dev.api('DELETE', '/v1/links/bbc');
    expect(out.json).toEqual({ providerId: 'bbc', sshKey: 'ok', token: 'unsupported', link: 'deleted', errors: {} });
    expect(cloud.keysOf('pat')).toEqual([]);
  });

  test('the key is already this account\'s (400 "already registered"): found in its list, the link is complete', async () => {
    const dev = await Browser.signIn(stack, 'cloud-dev-2');
    const { publicKey } = (await dev.api('GET', '/v1/me/ssh-key')).json;
    cloud.addKey('sam', publicKey);
    const back = await link(dev, 'sam');
    expect(back.searchParams.get('linked')).toBe('bbc');
    expect(back.searchParams.get('warning')).toBeNull();
    expect((await linksOf(dev))[0]).toMatchObject({ sshKeyRegistered: true });
  });

  test('the key belongs to another account: linked with warning=ssh_key_failed', async () => {
    const dev = await Browser.signIn(stack, 'cloud-dev-3');
    const { publicKey } = (await dev.api('GET', '/v1/me/ssh-key')).json;
    cloud.addKey('someone-else', publicKey);
    const back = await link(dev, 'kim');
    expect(back.searchParams.get('linked')).toBe('bbc');
    expect(back.searchParams.get('warning')).toBe('ssh_key_failed');
    expect((await linksOf(dev))[0]).toMatchObject({ login: 'kim', sshKeyRegistered: false });
  });
});

test('refresh: Basic client auth, no redirect_uri, the refresh token is kept', async () => {
  const dev = await Browser.signIn(stack, 'cloud-dev-4');
  expect((await link(dev, 'ref')).searchParams.get('linked')).toBe('bbc');
  const owner = cloud.addUser('ref').uuid;
  const issued = [...cloud.tokens.values()].find((t) => t.owner === owner)!;
  const ctx: ProviderContext = {
    config: created as ProviderConfig,
    clientSecret: async () => cloud.clientSecret,
    signingKeys: () => {
      throw new Error('not used by OAuth 2.0');
    },
    callbackUrl: `${stack.url}/oauth/callback`,
    timeoutMs: 5000,
    allowLoopback: true, // the fakes listen on 127.0.0.1
  };
  const fresh = await providerFor('bitbucket-cloud').refresh!(ctx, issued.refreshToken);
  expect(fresh.accessToken).not.toBe(issued.accessToken);
  expect(fresh.refreshToken).toBe(issued.refreshToken);
  const sent = cloud.requests.filter((r) => r.path === '/site/oauth2/access_token').at(-1)!;
  expect(new URLSearchParams(sent.body).get('redirect_uri')).toBeNull();
  expect(parseBasicAuth(sent.headers.authorization)?.user).toBe(cloud.clientId);
});

describe('the fake is as strict as bitbucket.org, so the link above proves HTTP Basic client auth', () => {
  test('client credentials in the form body instead of Basic: 401 invalid_client', async () => {
    const r = await fetch(`${cloud.url}/site/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: cloud.clientId, client_secret: cloud.clientSecret }),
    });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: 'invalid_client' });
  });

  test('an unknown code with Basic: 400 invalid_grant "The specified code is not valid."', async () => {
    const basic = Buffer.from(`${cloud.clientId}:${cloud.clientSecret}`).toString('base64');
    const r = await fetch(`${cloud.url}/site/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope' }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'invalid_grant', error_description: 'The specified code is not valid.' });
  });

  test('the API without a token: 401 {"type":"error","error":{"message":…}}', async () => {
    const r = await fetch(`${cloud.apiUrl}/user`);
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ type: 'error', error: { message: expect.any(String) } });
  });
});
