/** The handler pipeline: every route needs an action, error mapping, no stack traces. */
process.env.GITLINK_CRYPTO = 'embedded';
import { makeHandler, type Action, type ApiEvent } from '@shared/http/handler';
import type { FunctionName, RouteKeyOf } from '@shared/routes';
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

/** A handler with only some actions, which TypeScript refuses: the runtime fallback is what is tested. */
const partial = <F extends FunctionName>(fn: F, actions: Partial<Record<RouteKeyOf<F>, Action>>) => makeHandler(fn, actions as Record<RouteKeyOf<F>, Action>);

describe('makeHandler', () => {
  test('a function with a route without an action does not compile', () => {
    // @ts-expect-error -- 'me' serves five routes; one action is not enough (tsc checks this line).
    const h = makeHandler('me', { 'GET /v1/me/ssh-key': async () => json(200, {}) });
    // @ts-expect-error -- a route of another function is not an action of this one.
    makeHandler('links', { 'GET /v1/links': async () => json(200, {}), 'DELETE /v1/links/{providerId}': async () => json(200, {}), 'GET /v1/me/tokens': async () => json(200, {}) });
    expect(typeof h).toBe('function');
  });

  test('a route of the function without an action (a JavaScript caller) answers 501 not_implemented', async () => {
    const h = partial('me', {});
    const res = await h(event('GET /v1/me/tokens'), {} as never);
    expect(res.statusCode).toBe(501);
    expect(JSON.parse(res.body!)).toEqual({ error: { code: 'not_implemented', message: expect.any(String) } });
  });

  test('an AppError becomes its status and code', async () => {
    const h = partial('me', { 'GET /v1/me/ssh-key': async () => { throw new AppError('rotation_conflict', 'Nope.'); } });
    const res = await h(event('GET /v1/me/ssh-key'), {} as never);
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body!).error).toEqual({ code: 'rotation_conflict', message: 'Nope.' });
  });

  test('any other error becomes 500 internal with no detail', async () => {
    const h = partial('me', { 'GET /v1/me/ssh-key': async () => { throw new Error('db password is hunter2'); } });
    const res = await h(event('GET /v1/me/ssh-key'), {} as never);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(JSON.parse(res.body!).error.code).toBe('internal');
  });

  test('a JWT route without claims is 401 (defence in depth behind the authorizer)', async () => {
    const h = partial('me', { 'GET /v1/me/ssh-key': async () => json(200, {}) });
    const res = await h(event('GET /v1/me/ssh-key', { requestContext: { domainName: 'x', http: { method: 'GET' } } } as never), {} as never);
    expect(res.statusCode).toBe(401);
  });

  test('API Gateway flattens group claims to "[a b]"; admin still recognised', async () => {
    const h = partial('provider-config', { 'GET /v1/admin/providers': async () => json(200, { ok: true }) });
    const ev = event('GET /v1/admin/providers');
    ev.requestContext.authorizer!.jwt!.claims = { sub: 'root', 'cognito:groups': '[staff gitlink-admins]' };
    expect((await h(ev, {} as never)).statusCode).toBe(200);
    ev.requestContext.authorizer!.jwt!.claims = { sub: 'bob', 'cognito:groups': '[staff]' };
    expect((await h(ev, {} as never)).statusCode).toBe(403);
  });

  test('the public origin comes from requestContext.domainName, never a client header', async () => {
    const h = partial('me', { 'GET /v1/me/ssh-key': async ({ origin }) => json(200, { origin }) });
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
