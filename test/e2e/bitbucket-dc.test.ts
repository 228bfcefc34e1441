/**
 * Bitbucket Data Center (OAuth 2.0 incoming link) end to end: the local server against the
 * fake Data Center, which demands PKCE when a challenge was sent, `redirect_uri` on every
 * token request, and Bearer tokens on the same REST API as Bitbucket Server.
 */
import type { LocalStack } from '../../local/app';
import { providerFor } from '@shared/providers';
import type { ProviderConfig, ProviderContext } from '@shared/providers/types';
import { startFakeBitbucketDc, type FakeBitbucketDc } from '../providers/bitbucket-dc';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let dc: FakeBitbucketDc;
let admin: Browser;
let created: Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack();
  dc = await startFakeBitbucketDc();
  admin = await Browser.signIn(stack, 'root', true);
  const res = await admin.api('POST', '/v1/admin/providers', {
    id: 'bbdc', type: 'bitbucket-dc', displayName: 'Bitbucket DC', baseUrl: dc.url, clientId: dc.clientId, clientSecret: dc.clientSecret,
  });
  expect(res.status).toBe(201);
  created = res.json;
});
afterAll(async () => {
  await dc?.close();
  await stack?.close();
});

async function link(b: Browser, username: string) {
  dc.behavior.nextUser = username;
  const start = await b.api('POST', '/v1/links/bbdc');
  expect(start.status).toBe(200);
  return { authorizeUrl: new URL(start.json.authorizeUrl), back: new URL((await b.navigate(start.json.authorizeUrl)).url) };
}

test('defaults: REPO_WRITE ACCOUNT_WRITE, PKCE on, a client secret, no signing key', () => {
  expect(created).toMatchObject({ type: 'bitbucket-dc', scopes: ['REPO_WRITE', 'ACCOUNT_WRITE'], pkce: true, clientSecretSet: true });
  expect(created.publicKeyPem).toBeUndefined();
  expect(created.setupHint).toMatch(/Incoming/);
});

describe('link (RFC 6749 §4.1 + RFC 7636 PKCE), key upload, unlink', () => {
  test('links with PKCE S256, registers the key with a Bearer token, unlink deletes it and reports revoke unsupported', async () => {
    const dev = await Browser.signIn(stack, 'dc-dev-1');
    const { authorizeUrl, back } = await link(dev, 'jdoe');
    expect(back.searchParams.get('linked')).toBe('bbdc');
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${dc.url}/rest/oauth2/latest/authorize`);
    expect(authorizeUrl.searchParams.get('scope')).toBe('REPO_WRITE ACCOUNT_WRITE');
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const exchange = dc.requests.find((r) => r.path === '/rest/oauth2/latest/token')!;
    const params = new URLSearchParams(exchange.body);
    expect(params.get('grant_type')).toBe('authorization_code');
    expect(params.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('redirect_uri')).toBe(`${stack.url}/oauth/callback`);

    const [l] = (await dev.api('GET', '/v1/links')).json.links;
    expect(l).toMatchObject({ providerId: 'bbdc', login: 'jdoe', accountId: String(dc.users.get('jdoe')!.id), sshKeyRegistered: true });
    // Access tokens last 1 h.
    const ttl = new Date(l.expiresAt).getTime() - new Date(l.linkedAt).getTime();
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    const upload = dc.requests.find((r) => r.method === 'POST' && r.path === '/rest/ssh/1.0/keys')!;
    expect(upload.headers.authorization).toMatch(/^Bearer /);
    expect(dc.keysOf('jdoe')).toHaveLength(1);

    const out = await dev.api('DELETE', '/v1/links/bbdc');
    expect(out.json).toEqual({ providerId: 'bbdc', sshKey: 'ok', token: 'unsupported', link: 'deleted', errors: {} });
    expect(dc.keysOf('jdoe')).toEqual([]);
  });

  test('the user denies: ?error=access_denied, no link', async () => {
    const dev = await Browser.signIn(stack, 'dc-dev-2');
    dc.behavior.deny = true;
    try {
      expect((await link(dev, 'jdoe')).back.searchParams.get('error')).toBe('access_denied');
    } finally {
      dc.behavior.deny = false;
    }
    expect((await dev.api('GET', '/v1/links')).json.links).toEqual([]);
  });
});

describe('refresh (stored for the environments issue): the grant needs redirect_uri', () => {
  test('a refresh sends redirect_uri, gets a new pair, and the old refresh token stops working', async () => {
    const dev = await Browser.signIn(stack, 'dc-dev-3');
    expect((await link(dev, 'refresher')).back.searchParams.get('linked')).toBe('bbdc');
    const issued = [...dc.tokens.values()].find((t) => t.username === 'refresher')!;
    const ctx: ProviderContext = {
      config: { ...(created as ProviderConfig), type: 'bitbucket-dc' },
      clientSecret: async () => dc.clientSecret,
      signingKeys: () => {
      throw new Error('not used by OAuth 2.0');
    },
      callbackUrl: `${stack.url}/oauth/callback`,
      timeoutMs: 5000,
      allowLoopback: true, // the fakes listen on 127.0.0.1
    };
    const fresh = await providerFor('bitbucket-dc').refresh!(ctx, issued.refreshToken);
    expect(fresh.refreshToken).not.toBe(issued.refreshToken);
    expect(fresh.expiresAt).toBeGreaterThan(Date.now());
    const sent = new URLSearchParams(dc.requests.filter((r) => r.path === '/rest/oauth2/latest/token').at(-1)!.body);
    expect(sent.get('grant_type')).toBe('refresh_token');
    expect(sent.get('redirect_uri')).toBe(`${stack.url}/oauth/callback`);
    await expect(providerFor('bitbucket-dc').refresh!(ctx, issued.refreshToken)).rejects.toMatchObject({ oauthError: 'invalid_grant' });
  });
});

describe('the fake is as strict as Data Center, so the link above proves PKCE and redirect_uri', () => {
  async function code(extra: Record<string, string>) {
    const url = `${dc.url}/rest/oauth2/latest/authorize?${new URLSearchParams({
      client_id: dc.clientId, redirect_uri: 'https://gitlink.example/oauth/callback', response_type: 'code', scope: 'REPO_WRITE', state: 's', ...extra,
    })}`;
    const r = await fetch(url, { redirect: 'manual' });
    return new URL(r.headers.get('location')!).searchParams.get('code')!;
  }
  const token = (params: Record<string, string>) =>
    fetch(`${dc.url}/rest/oauth2/latest/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: dc.clientId, client_secret: dc.clientSecret, grant_type: 'authorization_code', redirect_uri: 'https://gitlink.example/oauth/callback', ...params }),
    });

  test('a PKCE-bound code exchanged without its verifier: 400 invalid_grant', async () => {
    const c = await code({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const r = await token({ code: c });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('a token request without redirect_uri: 400 invalid_request', async () => {
    const r = await token({ code: await code({}), redirect_uri: '' });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('REST without a valid Bearer token: 401 with Bitbucket\'s errors[] body', async () => {
    const r = await fetch(`${dc.url}/rest/ssh/1.0/keys`, { headers: { authorization: 'Bearer nope' } });
    expect(r.status).toBe(401);
    expect((await r.json()).errors[0].message).toMatch(/Authentication failed/);
  });
});
