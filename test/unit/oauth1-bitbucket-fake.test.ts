/**
 * The fake Bitbucket Server is the proof of the OAuth 1.0a code, so it must refuse what
 * Atlassian's service provider refuses: each test pins one RFC 5849 rule or Atlassian answer.
 * Requests are signed with gitlink's oauth1.ts; the fake checks them with its own code.
 */
import { generateKeyPairSync } from 'node:crypto';
import { authorizationHeader, type SignOptions } from '@shared/providers/oauth1';
import { bitbucketServer } from '@shared/providers/bitbucket-server';
import type { ProviderConfig, ProviderContext } from '@shared/providers/types';
import { startFakeBitbucketServer, type FakeBitbucketServer } from '../providers/bitbucket-server';

const CALLBACK = 'https://gitlink.example/oauth/callback';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIV = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let bbs: FakeBitbucketServer;
beforeEach(async () => {
  bbs = await startFakeBitbucketServer();
  bbs.registerConsumer({ key: 'gitlink', publicKeyPem: PUB });
});
afterEach(() => bbs.close());

type Extra = SignOptions['extra'];
async function signed(method: string, path: string, extra: Extra, init: { body?: string; contentType?: string; form?: Record<string, string>; nonce?: string; key?: string; consumerKey?: string } = {}) {
  const url = `${bbs.url}${path}`;
  const authorization = authorizationHeader(
    { method, url, ...(init.form ? { form: init.form } : {}) },
    { consumerKey: init.consumerKey ?? 'gitlink', privateKeyPem: init.key ?? PRIV, ...(extra ? { extra } : {}), ...(init.nonce ? { nonce: init.nonce } : {}) },
  );
  return fetch(url, {
    method,
    redirect: 'manual',
    headers: { authorization, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}
const problemOf = async (r: Response) => new URLSearchParams(await r.text()).get('oauth_problem');

async function requestToken(): Promise<string> {
  const r = await signed('POST', '/plugins/servlet/oauth/request-token', { oauth_callback: CALLBACK });
  expect(r.status).toBe(200);
  const f = new URLSearchParams(await r.text());
  expect(f.get('oauth_callback_confirmed')).toBe('true');
  return f.get('oauth_token')!;
}
async function approve(token: string): Promise<URL> {
  const r = await fetch(`${bbs.url}/plugins/servlet/oauth/authorize?oauth_token=${token}`, { redirect: 'manual' });
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!);
}
async function accessToken(): Promise<string> {
  const rt = await requestToken();
  const back = await approve(rt);
  const r = await signed('POST', '/plugins/servlet/oauth/access-token', { oauth_token: rt, oauth_verifier: back.searchParams.get('oauth_verifier')! });
  expect(r.status).toBe(200);
  return new URLSearchParams(await r.text()).get('oauth_token')!;
}

describe('RFC 5849 §2.1 temporary credentials', () => {
  test('oauth_callback is required (1.0a): parameter_absent, HTTP 400', async () => {
    const r = await signed('POST', '/plugins/servlet/oauth/request-token', undefined);
    expect(r.status).toBe(400);
    expect(await problemOf(r)).toBe('parameter_absent');
  });

  test('an unknown consumer key: consumer_key_unknown, with WWW-Authenticate', async () => {
    const r = await signed('POST', '/plugins/servlet/oauth/request-token', { oauth_callback: CALLBACK }, { consumerKey: 'someone-else' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^OAuth realm=".*", oauth_problem="consumer_key_unknown"/);
  });

  test('a signature by another key: signature_invalid, with the base string the server computed', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const r = await signed('POST', '/plugins/servlet/oauth/request-token', { oauth_callback: CALLBACK }, { key: other });
    const body = new URLSearchParams(await r.text());
    expect(body.get('oauth_problem')).toBe('signature_invalid');
    expect(body.get('oauth_signature_base_string')).toMatch(/^POST&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fplugins%2Fservlet%2Foauth%2Frequest-token&oauth_callback%3D/);
  });

  test('HMAC-SHA1 is not accepted: signature_method_rejected', async () => {
    const header = 'OAuth oauth_consumer_key="gitlink", oauth_nonce="n", oauth_signature="x", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_callback="oob"';
    const r = await fetch(`${bbs.url}/plugins/servlet/oauth/request-token`, { method: 'POST', headers: { authorization: header } });
    expect(await problemOf(r)).toBe('signature_method_rejected');
  });
});

describe('RFC 5849 §3.3 nonce and timestamp', () => {
  test('an identical request replayed byte for byte: nonce_used', async () => {
    const url = `${bbs.url}/plugins/servlet/oauth/request-token`;
    const authorization = authorizationHeader({ method: 'POST', url }, { consumerKey: 'gitlink', privateKeyPem: PRIV, extra: { oauth_callback: CALLBACK } });
    expect((await fetch(url, { method: 'POST', headers: { authorization } })).status).toBe(200);
    const replay = await fetch(url, { method: 'POST', headers: { authorization } });
    expect(replay.status).toBe(401);
    expect(await problemOf(replay)).toBe('nonce_used');
  });

  test('a clock more than 300 s off: timestamp_refused, with the acceptable range', async () => {
    bbs.setClockSkew(-400);
    const r = await signed('POST', '/plugins/servlet/oauth/request-token', { oauth_callback: CALLBACK });
    const body = new URLSearchParams(await r.text());
    expect(body.get('oauth_problem')).toBe('timestamp_refused');
    expect(body.get('oauth_acceptable_timestamps')).toMatch(/^\d+-\d+$/);
  });
});

describe('RFC 5849 §2.2–2.3 authorize and token credentials', () => {
  test('the verifier is bound to its request token: a wrong one is refused, the right one works once', async () => {
    const rt = await requestToken();
    const back = await approve(rt);
    expect(back.searchParams.get('oauth_token')).toBe(rt);
    const verifier = back.searchParams.get('oauth_verifier')!;
    expect(verifier).toMatch(/^[A-Za-z0-9]{6}$/);

    const wrong = await signed('POST', '/plugins/servlet/oauth/access-token', { oauth_token: rt, oauth_verifier: 'nope00' });
    expect(await problemOf(wrong)).toBe('verifier_invalid');
    const ok = await signed('POST', '/plugins/servlet/oauth/access-token', { oauth_token: rt, oauth_verifier: verifier });
    expect(ok.status).toBe(200);
    expect([...new URLSearchParams(await ok.text()).keys()].sort()).toEqual([
      'oauth_authorization_expires_in', 'oauth_expires_in', 'oauth_session_handle', 'oauth_token', 'oauth_token_secret',
    ]);
    const reuse = await signed('POST', '/plugins/servlet/oauth/access-token', { oauth_token: rt, oauth_verifier: verifier });
    expect(await problemOf(reuse)).toBe('token_used');
  });

  test('Atlassian\'s deny: the callback gets oauth_verifier=denied and the exchange is refused', async () => {
    bbs.behavior.deny = true;
    const rt = await requestToken();
    const back = await approve(rt);
    expect(back.searchParams.get('oauth_verifier')).toBe('denied');
    const r = await signed('POST', '/plugins/servlet/oauth/access-token', { oauth_token: rt, oauth_verifier: 'denied' });
    expect(await problemOf(r)).toBe('permission_denied');
  });

  test('a request token is not an access token', async () => {
    const rt = await requestToken();
    const r = await signed('GET', '/plugins/servlet/applinks/whoami', { oauth_token: rt });
    expect(await problemOf(r)).toBe('token_rejected');
  });
});

describe('the callback exchanges the request token of its own attempt (issue 10 attack 1)', () => {
  const ctx = (): ProviderContext => ({
    config: { id: 'bbs', type: 'bitbucket-server', baseUrl: bbs.url, consumerKey: 'gitlink', clientId: 'gitlink' } as ProviderConfig,
    clientSecret: async () => '',
    signingKeys: () => [{ pem: async () => PRIV, accepted: () => undefined }],
    callbackUrl: CALLBACK,
    timeoutMs: 5000,
    allowLoopback: true, // the fakes listen on 127.0.0.1
  });

  test("an echoed oauth_token other than the attempt's own is refused, and nothing is exchanged", async () => {
    const mine = await requestToken();
    const theirs = await requestToken();
    const back = await approve(theirs);
    const query = { oauth_token: theirs, oauth_verifier: back.searchParams.get('oauth_verifier')! };
    await expect(bitbucketServer.finishAuthorization(ctx(), { query, secrets: { requestToken: mine } })).rejects.toMatchObject({ code: 'invalid_callback' });
    expect(bbs.requests.map((r) => r.path)).not.toContain('/plugins/servlet/oauth/access-token');
    // The attempt's own token still exchanges.
    await expect(bitbucketServer.finishAuthorization(ctx(), { query, secrets: { requestToken: theirs } })).resolves.toMatchObject({ accessToken: expect.any(String) });
  });
});

describe('REST calls are signed too; JSON bodies stay out of the base string', () => {
  test('whoami answers the username as plain text', async () => {
    const at = await accessToken();
    const r = await signed('GET', '/plugins/servlet/applinks/whoami', { oauth_token: at });
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(await r.text()).toBe('jdoe');
  });

  test('POST /rest/ssh/1.0/keys: JSON signed without parameters → 201 {id}; JSON signed as parameters → 401; duplicate → 409', async () => {
    const at = await accessToken();
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqP3Cr632C2dNhhgKVcon4ldUSAeKiku2yP9O9/bDtY dev@host';
    const body = JSON.stringify({ text: key, label: 'gitlink' });
    const bad = await signed('POST', '/rest/ssh/1.0/keys', { oauth_token: at }, { body, contentType: 'application/json', form: { text: key, label: 'gitlink' } });
    expect(bad.status).toBe(401);
    expect(await problemOf(bad)).toBe('signature_invalid');

    const ok = await signed('POST', '/rest/ssh/1.0/keys', { oauth_token: at }, { body, contentType: 'application/json' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ id: 1, text: key, label: 'gitlink' });

    const dup = await signed('POST', '/rest/ssh/1.0/keys', { oauth_token: at }, { body, contentType: 'application/json' });
    expect(dup.status).toBe(409);
    expect((await dup.json()).errors[0].exceptionName).toBe('com.atlassian.bitbucket.ssh.DuplicateSshKeyException');

    const del = await signed('DELETE', '/rest/ssh/1.0/keys/1', { oauth_token: at });
    expect(del.status).toBe(204);
    expect(bbs.keysOf('jdoe')).toEqual([]);
  });

  test('an unsigned REST call is refused', async () => {
    const r = await fetch(`${bbs.url}/rest/ssh/1.0/keys`);
    expect(r.status).toBe(400);
    expect(await problemOf(r)).toBe('parameter_absent');
  });
});
