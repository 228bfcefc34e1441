/** The handler pipeline: 501 for unbuilt routes, error mapping, no stack traces. */
process.env.GITLINK_CRYPTO = 'embedded';
import { makeHandler, type ApiEvent } from '@shared/http/handler';
import { AppError } from '@shared/errors';
import { json } from '@shared/http/reply';

const event = (routeKey: string, extra: Partial<ApiEvent> = {}): ApiEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { domainName: 'api.example.com', http: { method: 'GET' }, authorizer: { jwt: { claims: { sub: 'alice' } } } },
    ...extra,
  }) as unknown as ApiEvent;

describe('makeHandler', () => {
  test('a route of the function without an action answers 501 not_implemented', async () => {
    const h = makeHandler('me', {});
    const res = await h(event('GET /v1/me/tokens'), {} as never);
    expect(res.statusCode).toBe(501);
    expect(JSON.parse(res.body!)).toEqual({ error: { code: 'not_implemented', message: expect.any(String) } });
  });

  test('an AppError becomes its status and code', async () => {
    const h = makeHandler('me', { 'GET /v1/me/ssh-key': async () => { throw new AppError('rotation_conflict', 'Nope.'); } });
    const res = await h(event('GET /v1/me/ssh-key'), {} as never);
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body!).error).toEqual({ code: 'rotation_conflict', message: 'Nope.' });
  });

  test('any other error becomes 500 internal with no detail', async () => {
    const h = makeHandler('me', { 'GET /v1/me/ssh-key': async () => { throw new Error('db password is hunter2'); } });
    const res = await h(event('GET /v1/me/ssh-key'), {} as never);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(JSON.parse(res.body!).error.code).toBe('internal');
  });

  test('a JWT route without claims is 401 (defence in depth behind the authorizer)', async () => {
    const h = makeHandler('me', { 'GET /v1/me/ssh-key': async () => json(200, {}) });
    const res = await h(event('GET /v1/me/ssh-key', { requestContext: { domainName: 'x', http: { method: 'GET' } } } as never), {} as never);
    expect(res.statusCode).toBe(401);
  });

  test('API Gateway flattens group claims to "[a b]"; admin still recognised', async () => {
    const h = makeHandler('provider-config', { 'GET /v1/admin/providers': async () => json(200, { ok: true }) });
    const ev = event('GET /v1/admin/providers');
    ev.requestContext.authorizer!.jwt!.claims = { sub: 'root', 'cognito:groups': '[staff gitlink-admins]' };
    expect((await h(ev, {} as never)).statusCode).toBe(200);
    ev.requestContext.authorizer!.jwt!.claims = { sub: 'bob', 'cognito:groups': '[staff]' };
    expect((await h(ev, {} as never)).statusCode).toBe(403);
  });

  test('the public origin comes from requestContext.domainName, never a client header', async () => {
    const h = makeHandler('me', { 'GET /v1/me/ssh-key': async ({ origin }) => json(200, { origin }) });
    const ev = event('GET /v1/me/ssh-key', { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    const saved = process.env.PUBLIC_URL;
    delete process.env.PUBLIC_URL;
    const { resetConfig } = await import('@shared/config');
    resetConfig();
    const res = await h(ev, {} as never);
    if (saved !== undefined) process.env.PUBLIC_URL = saved;
    resetConfig();
    expect(JSON.parse(res.body!).origin).toBe('https://api.example.com');
  });
});
