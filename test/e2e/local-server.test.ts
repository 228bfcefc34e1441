/**
 * The local server: the route table over HTTP, API Gateway v2 events, the dev
 * issuer, and clean 4xx answers at the edge.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { routes } from '@shared/routes';
import { CookieJar, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';
import { createDevIssuer, DEV_ALG, type DevIssuer } from '../../local/dev-issuer';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

/** fetch refuses a GET with a body; node:http does not, and neither do attackers. */
function get(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  if (!init.body || (init.method ?? 'GET') !== 'GET') return fetch(`${stack.url}${path}`, init);
  return new Promise((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { method: 'GET', headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body!)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: res.headers as Record<string, string> })));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('GET /healthz', () => {
  test('answers ok', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('edge validation gives clean 4xx JSON', () => {
  const cases = (path: string, method: string, auth: () => Promise<Record<string, string>>) => {
    test(`${method} ${path}: malformed JSON → 400 invalid_json`, async () => {
      const res = await get(path, { method, headers: { ...(await auth()), 'content-type': 'application/json' }, body: '{"a":' });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_json');
    });
    test(`${method} ${path}: body over 64 KiB → 413 payload_too_large`, async () => {
      const body = JSON.stringify({ x: 'a'.repeat(70 * 1024) });
      const res = await get(path, { method, headers: { ...(await auth()), 'content-type': 'application/json' }, body });
      expect(res.status).toBe(413);
      expect((await res.json()).error.code).toBe('payload_too_large');
    });
    test(`${method} ${path}: a huge body is cut off, still 413`, async () => {
      const body = 'a'.repeat(2 * 1024 * 1024);
      const res = await get(path, { method, headers: { ...(await auth()), 'content-type': 'application/json' }, body });
      expect(res.status).toBe(413);
    });
    test(`${method} ${path}: wrong content type → 415 unsupported_media_type`, async () => {
      const res = await get(path, { method, headers: { ...(await auth()), 'content-type': 'application/xml' }, body: '<a/>' });
      expect(res.status).toBe(415);
      const body = await res.json();
      expect(body.error.code).toBe('unsupported_media_type');
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    });
  };
  cases('/healthz', 'GET', async () => ({}));
  cases('/v1/admin/providers', 'POST', async () => ({ authorization: `Bearer ${await stack.issuer.mint('root', true)}` }));
});

describe('the route table is the local server', () => {
  test.each(routes.map((r) => [r.method, r.path, r.auth]))('%s %s is routed (auth %s)', async (method, path) => {
    const concrete = path.replace('{proxy+}', 'app.js').replace(/\{\w+\}/g, 'x');
    const res = await get(concrete, { method, headers: { authorization: `Bearer ${await stack.issuer.mint('alice', true)}` } });
    const text = await res.text();
    // Routed means the handler answered: never the server's own "no such route".
    expect(text).not.toContain('No such route');
  });

  test('an unknown path is 404 JSON', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});

describe('JWT checks, as the HTTP API JWT authorizer does them', () => {
  test('no token → 401', async () => {
    const res = await get('/v1/providers');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  test('a valid dev token passes', async () => {
    const res = await get('/v1/providers', { headers: { authorization: `Bearer ${await stack.issuer.mint('alice', false)}` } });
    expect(res.status).toBe(200);
  });

  test.each(['RS256', 'ES256'])('a token signed by another key (%s) → 401', async (alg) => {
    const { privateKey } = await generateKeyPair(alg);
    const kid = stack.issuer.jwks().keys[0]!.kid!; // even naming the real key's id
    const forged = await new SignJWT({ client_id: 'gitlink-local' })
      .setProtectedHeader({ alg, kid })
      .setSubject('alice')
      .setIssuer(stack.issuer.issuer)
      .setAudience(stack.issuer.audience)
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await get('/v1/providers', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });

  test('a tampered payload → 401', async () => {
    const [h, p, s] = (await stack.issuer.mint('alice', false)).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.sub = 'mallory';
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await get('/v1/providers', { headers: { authorization: `Bearer ${tampered}` } })).status).toBe(401);
  });

  test('a non-admin on an admin route → 403 forbidden', async () => {
    const res = await get('/v1/admin/providers', { headers: { authorization: `Bearer ${await stack.issuer.mint('bob', false)}` } });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('forbidden');
  });

  test('an admin passes the admin check', async () => {
    const res = await get('/v1/admin/providers', { headers: { authorization: `Bearer ${await stack.issuer.mint('root', true)}` } });
    expect(res.status).toBe(200);
  });
});

describe('dev issuer', () => {
  test('POST /dev/token mints a token for scripts', async () => {
    const res = await get('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'carol', admin: true }) });
    expect(res.status).toBe(200);
    const { token } = await res.json();
    const admin = await get('/v1/admin/providers', { headers: { authorization: `Bearer ${token}` } });
    expect(admin.status).toBe(200);
  });

  test('POST /dev/token refuses a bad username', async () => {
    const res = await get('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: 'a b<script>' }) });
    expect(res.status).toBe(400);
  });

  test('GET /dev/login shows a sign-in form with an admin box', async () => {
    const html = await (await get('/dev/login')).text();
    expect(html).toContain('name="username"');
    expect(html).toContain('name="admin"');
  });

  test('the discovery document names the issuer', async () => {
    const doc = await (await get('/dev/.well-known/openid-configuration')).json();
    expect(doc.issuer).toBe(`${stack.url}/dev`);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describe('dev issuer keys and audience, as API Gateway checks them', () => {
  // API Gateway's HTTP API JWT authorizer supports RSA-based algorithms only.
  test('tokens are RS256, and the JWKS key is RSA with the kid the tokens name', async () => {
    const token = await stack.issuer.mint('alice', false);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(DEV_ALG).toBe('RS256');
    expect(header.alg).toBe('RS256');
    const jwks = await (await get('/dev/jwks.json')).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: header.kid });
    expect(jwks.keys[0].d).toBeUndefined(); // public only
    const doc = await (await get('/dev/.well-known/openid-configuration')).json();
    expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
  });

  const issuerOpts = (dataDir: string) => ({ mode: 'local', origin: 'http://localhost:1', dataDir, adminGroupClaim: 'cognito:groups', adminGroup: 'gitlink-admins' });

  test('a key file of another algorithm (ES256, from earlier versions) is replaced by an RS256 one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-key-'));
    const path = join(dataDir, 'dev-issuer-key.json');
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const old = { kid: 'old', privateJwk: { ...(await exportJWK(privateKey)), kid: 'old', alg: 'ES256' }, publicJwk: { ...(await exportJWK(publicKey)), kid: 'old', alg: 'ES256', use: 'sig' } };
    writeFileSync(path, JSON.stringify(old), { mode: 0o600 });
    const oldToken = await new SignJWT({ client_id: 'gitlink-local' })
      .setProtectedHeader({ alg: 'ES256', kid: 'old' })
      .setSubject('alice')
      .setIssuer('http://localhost:1/dev')
      .setAudience('gitlink-local')
      .setExpirationTime('1h')
      .sign(privateKey);

    const issuer = await createDevIssuer(issuerOpts(dataDir));
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.kid).not.toBe('old');
    expect(file.privateJwk).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(issuer.jwks().keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: file.kid });
    expect(await issuer.verify(await issuer.mint('alice', false))).toBeDefined();
    expect(await issuer.verify(oldToken)).toBeUndefined();
    // The next start (or `npm run token`) keeps the new key.
    const again = await createDevIssuer(issuerOpts(dataDir));
    expect(again.jwks().keys[0]!.kid).toBe(file.kid);
    expect(await again.verify(await issuer.mint('bob', true))).toBeDefined();
  });

  test('an unreadable key file is replaced too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-key-'));
    writeFileSync(join(dataDir, 'dev-issuer-key.json'), '{"kid":');
    const issuer = await createDevIssuer(issuerOpts(dataDir));
    expect(await issuer.verify(await issuer.mint('alice', false))).toBeDefined();
  });

  describe('audience: `aud` when present, `client_id` only when `aud` is absent', () => {
    let issuer: DevIssuer;
    let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>, exp?: string | number | null) => Promise<string>;
    beforeAll(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-key-'));
      issuer = await createDevIssuer(issuerOpts(dataDir));
      const file = JSON.parse(readFileSync(join(dataDir, 'dev-issuer-key.json'), 'utf8')) as { kid: string; privateJwk: JWK };
      const key = await importJWK(file.privateJwk, 'RS256');
      sign = (claims, header = {}, exp = '1h') => {
        const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: file.kid, ...header }).setSubject('alice').setIssuer(issuer.issuer);
        return (exp === null ? jwt : jwt.setExpirationTime(exp)).sign(key);
      };
    });

    test.each([
      ['aud is the audience', { aud: 'gitlink-local' }, true],
      ['aud lists the audience', { aud: ['other', 'gitlink-local'] }, true],
      ['aud absent, client_id is the audience', { client_id: 'gitlink-local' }, true],
      ['aud is another audience, even with client_id the audience', { aud: 'other', client_id: 'gitlink-local' }, false],
      ['aud lists other audiences only, client_id the audience', { aud: ['a', 'b'], client_id: 'gitlink-local' }, false],
      ['aud absent, client_id another', { client_id: 'other' }, false],
      ['neither aud nor client_id', {}, false],
    ])('%s', async (_name, claims, ok) => {
      const result = await issuer.verify(await sign(claims));
      if (ok) expect(result?.sub).toBe('alice');
      else expect(result).toBeUndefined();
    });

    test('the header must name the signing key (kid), as the JWKS lookup does', async () => {
      expect(await issuer.verify(await sign({ aud: 'gitlink-local' }, { kid: 'another' }))).toBeUndefined();
      expect(await issuer.verify(await sign({ aud: 'gitlink-local' }, { kid: undefined }))).toBeUndefined();
    });

    test('a token without exp is refused; an expired one too', async () => {
      expect(await issuer.verify(await sign({ aud: 'gitlink-local' }, {}, null))).toBeUndefined();
      expect(await issuer.verify(await sign({ aud: 'gitlink-local' }, {}, Math.floor(Date.now() / 1000) - 60))).toBeUndefined();
    });
  });
});

describe('dev issuer sign-in session (like Cognito hosted UI)', () => {
  const redirectUri = () => `${stack.url}/`;
  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  /** An authorize request, as oidc-client-ts sends it, plus `extra` (prompt, max_age). */
  const authorize = (challenge: string, state: string, extra: Record<string, string> = {}) =>
    `/dev/login?${new URLSearchParams({ client_id: 'gitlink-local', redirect_uri: redirectUri(), response_type: 'code', scope: 'openid profile email', state, code_challenge: challenge, code_challenge_method: 'S256', ...extra })}`;
  const send = (path: string, jar: CookieJar, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(jar.header() ? { cookie: jar.header() } : {}) } }).then((res) => {
      jar.take(res);
      return res;
    });
  const redeem = (code: string, verifier: string) =>
    fetch(`${stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: verifier, client_id: 'gitlink-local' }),
    });
  const isForm = async (res: Response) => res.status === 200 && (await res.text()).includes('name="username"');

  /** Signs in on the form (with OIDC parameters) and returns the browser's cookie jar. */
  async function signInOnForm(sub: string, admin: boolean) {
    const jar = new CookieJar();
    const { challenge } = pkce();
    const q = new URL(authorize(challenge, 'first'), stack.url).searchParams;
    expect(await isForm(await send(authorize(challenge, 'first'), jar))).toBe(true);
    q.set('username', sub);
    if (admin) q.set('admin', 'on');
    const res = await send('/dev/login', jar, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q });
    expect(res.status).toBe(302);
    return { jar, res };
  }

  test('a successful sign-in sets an HttpOnly, SameSite=Lax, Path=/dev session cookie holding a random id, not a token', async () => {
    const { jar, res } = await signInOnForm('sam', false);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^gitlink-dev-session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/dev(;|$)/);
    expect(cookie).toMatch(/; Max-Age=28800(;|$)/); // as long as the tokens it leads to (8 h)
    expect(jar.get('gitlink-dev-session')!.split('.')).toHaveLength(1); // no JWT
    const other = await signInOnForm('sam', false);
    expect(other.jar.get('gitlink-dev-session')).not.toBe(jar.get('gitlink-dev-session'));
  });

  test('with a session, an authorize request redirects back at once with a fresh code bound to its own PKCE challenge', async () => {
    const { jar } = await signInOnForm('sam', true);
    const { verifier, challenge } = pkce();
    const res = await send(authorize(challenge, 'second', { nonce: 'n-2' }), jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri());
    expect(back.searchParams.get('state')).toBe('second');
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();
    // PKCE as before: another verifier is refused (and burns the code).
    expect((await redeem(code, pkce().verifier)).status).toBe(400);
    const again = new URL((await send(authorize(challenge, 'third', { nonce: 'n-3' }), jar)).headers.get('location')!);
    const tokens = await (await redeem(again.searchParams.get('code')!, verifier)).json();
    const claims = await stack.issuer.verify(tokens.access_token);
    expect(claims?.sub).toBe('sam');
    expect(JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString()).nonce).toBe('n-3');
    // The session remembers admin too.
    expect((await get('/v1/admin/providers', { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
  });

  test('prompt=login and max_age=0 show the form despite the session; prompt=none without one answers login_required', async () => {
    const { jar } = await signInOnForm('sam', false);
    const { challenge } = pkce();
    const login = await send(authorize(challenge, 's', { prompt: 'login' }), jar);
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('name="username"');
    expect(html).toContain('value="sam"'); // prefilled from the session
    expect(await isForm(await send(authorize(challenge, 's', { max_age: '0' }), jar))).toBe(true);
    // A recent enough sign-in satisfies max_age.
    expect((await send(authorize(challenge, 's', { max_age: '3600' }), jar)).status).toBe(302);
    const none = await send(authorize(challenge, 's', { prompt: 'none' }), new CookieJar());
    expect(none.status).toBe(302);
    const back = new URL(none.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('state')).toBe('s');
    expect(back.searchParams.has('code')).toBe(false);
  });

  test('an unknown session cookie shows the form; the manual /dev/login page always shows the form', async () => {
    const { challenge } = pkce();
    const forged = new CookieJar();
    forged.set('gitlink-dev-session', randomBytes(32).toString('base64url'));
    expect(await isForm(await send(authorize(challenge, 's'), forged))).toBe(true);
    const { jar } = await signInOnForm('sam', false);
    expect(await isForm(await send('/dev/login', jar))).toBe(true);
  });

  test('/dev/logout ends the session on the server and clears the cookie', async () => {
    const { jar } = await signInOnForm('sam', false);
    const stolen = jar.get('gitlink-dev-session')!;
    const res = await send(`/dev/logout?${new URLSearchParams({ post_logout_redirect_uri: redirectUri() })}`, jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(redirectUri());
    expect(res.headers.getSetCookie()[0]).toMatch(/^gitlink-dev-session=; Path=\/dev; Max-Age=0;/);
    expect(jar.get('gitlink-dev-session')).toBeUndefined();
    const { challenge } = pkce();
    expect(await isForm(await send(authorize(challenge, 's'), jar))).toBe(true);
    // The old cookie value, replayed, is dead on the server too.
    const replay = new CookieJar();
    replay.set('gitlink-dev-session', stolen);
    expect(await isForm(await send(authorize(challenge, 's'), replay))).toBe(true);
  });
});
