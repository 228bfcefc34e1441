/**
 * The local server: the route table over HTTP, API Gateway v2 events, the dev
 * issuer, and clean 4xx answers at the edge.
 */
import { request } from 'node:http';
import { SignJWT, generateKeyPair } from 'jose';
import { routes } from '../../shared/routes';
import { startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';

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

  test('a token signed by another key → 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ client_id: 'gitlink-local' })
      .setProtectedHeader({ alg: 'ES256' })
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
