/**
 * Hardening headers (issue 10 "Whole-system guarantees"), on every route of the route
 * table and on the local server's own refusals, over real HTTP: HSTS, nosniff,
 * `Referrer-Policy: no-referrer`, `Cache-Control: no-store` on every API answer, the
 * CSPs, the binding cookie's attributes, and a callback that never carries `code` or
 * `state` into the URL it redirects to. The functions set all of them
 * (shared/http/handler.ts, shared/ui/page.ts); API Gateway adds none.
 */
import type { Browser } from '../support/local';
import type { LocalStack } from '../../local/app';
import { isUiFile, sweep } from './support/sweep';
import { startWorld, type World } from './support/world';

let w: World;
let stack: LocalStack;
let admin: Browser;
let dev: Browser;
let envToken: string;

beforeAll(async () => {
  w = await startWorld();
  ({ stack, admin, dev, envToken } = w);
});
afterAll(() => w.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${stack.url}${path}`, { redirect: 'manual', ...init });

function expectBaseHeaders(res: Response, what: string) {
  const h = res.headers;
  // Two years, subdomains: the HSTS preload minimum is one year.
  const maxAge = Number(/max-age=(\d+)/.exec(h.get('strict-transport-security') ?? '')?.[1] ?? 0);
  expect({ what, hsts: maxAge >= 31536000 && /includeSubDomains/.test(h.get('strict-transport-security')!) }).toEqual({ what, hsts: true });
  expect({ what, nosniff: h.get('x-content-type-options') }).toEqual({ what, nosniff: 'nosniff' });
  expect({ what, referrer: h.get('referrer-policy') }).toEqual({ what, referrer: 'no-referrer' });
}

function expectApiHeaders(res: Response, what: string) {
  expectBaseHeaders(res, what);
  expect({ what, cache: res.headers.get('cache-control') }).toEqual({ what, cache: 'no-store' });
  // A JSON answer opened as a document may run, embed and frame nothing.
  const csp = res.headers.get('content-security-policy') ?? '';
  expect({ what, csp: /default-src 'none'/.test(csp) && /frame-ancestors 'none'/.test(csp) }).toEqual({ what, csp: true });
}

describe('every route answers with the hardening headers, whoever asks', () => {
  const callers = (): Array<[string, Record<string, string>]> => [
    ['anonymous', {}],
    ['developer', { authorization: `Bearer ${dev.token}` }],
    ['admin', { authorization: `Bearer ${admin.token}` }],
    ['env token', { authorization: `Bearer ${envToken}` }],
  ];
  test.each(sweep({ providerId: 'gitlab', id: 'not-there' }).map((r) => [r.key, r] as const))('%s', async (_key, r) => {
    for (const [who, headers] of callers()) {
      const res = await get(r.path, { method: r.method, headers });
      await res.arrayBuffer();
      const what = `${r.key} as ${who} (${res.status})`;
      if (isUiFile(r.route) && res.status < 400) expectBaseHeaders(res, what);
      else expectApiHeaders(res, what);
    }
  });

  test("the local server's own refusals too (no route, bad host, bad token)", async () => {
    for (const [what, res] of [
      ['unknown route', await get('/v1/nothing-here')],
      ['no bearer token', await get('/v1/links')],
      ['misdirected host', await get('/healthz', { headers: { host: 'evil.example' } })],
    ] as const) {
      await res.arrayBuffer();
      expectApiHeaders(res, what);
    }
  });
});

describe('index.html carries the strict CSP', () => {
  test.each(['/', '/link/gitlab'])('%s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    const csp = Object.fromEntries((res.headers.get('content-security-policy') ?? '').split(/;\s*/).map((d) => {
      const [name, ...values] = d.split(' ');
      return [name, values.join(' ')];
    }));
    expect(csp['default-src']).toBe("'self'");
    expect(csp['script-src']).toBe("'self'");
    expect(csp['style-src']).toBe("'self'");
    expect(csp['frame-ancestors']).toBe("'none'");
    expect(csp['object-src']).toBe("'none'");
    expect(csp['base-uri']).toBe("'none'");
    expect(Object.values(csp).join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the binding cookie and the callback', () => {
  test('the link cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, 10 minutes', async () => {
    const r = await dev.api('POST', '/v1/links/gitlab');
    expect(r.status).toBe(200);
    const [cookie, ...more] = r.res.headers.getSetCookie();
    expect(more).toEqual([]);
    const [pair, ...attrs] = cookie!.split(/;\s*/);
    expect(pair).toMatch(/^__Host-gitlink-link-gitlab=[A-Za-z0-9_-]{43}$/);
    const a = attrs.map((x) => x.toLowerCase());
    expect(a).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax', 'max-age=600']));
    expect(a.some((x) => x.startsWith('domain='))).toBe(false);
  });

  const UI_PARAMS = new Set(['linked', 'warning', 'error', 'provider']);
  async function callbackLocation(query: string, cookie?: string) {
    const res = await get(`/oauth/callback?${query}`, cookie ? { headers: { cookie } } : {});
    expect(res.status).toBe(302);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    return new URL(res.headers.get('location')!);
  }

  test('no outcome of the callback carries code, state or anything but its own parameters', async () => {
    const start = await dev.api('POST', '/v1/links/gitlab');
    const cookie = dev.jar.header();
    const providerAnswer = new URL((await fetch(start.json.authorizeUrl, { redirect: 'manual' })).headers.get('location')!);
    const code = providerAnswer.searchParams.get('code')!;
    const state = providerAnswer.searchParams.get('state')!;
    const outcomes = [
      // Success, then the same callback replayed.
      await callbackLocation(providerAnswer.search.slice(1), cookie),
      await callbackLocation(providerAnswer.search.slice(1), cookie),
      await callbackLocation(`code=${code}&state=unknown-state`),
      await callbackLocation(`code=${code}&error=access_denied&state=${state}`),
      await callbackLocation(`code=${code}`),
      await callbackLocation(`code=${code}&state=${state}&error_description=${encodeURIComponent('<script>x</script>')}`),
    ];
    expect(outcomes[0]!.searchParams.get('linked')).toBe('gitlab');
    for (const loc of outcomes) {
      expect(loc.origin).toBe(stack.url);
      expect(loc.pathname).toBe('/');
      expect([...loc.searchParams.keys()].filter((k) => !UI_PARAMS.has(k))).toEqual([]);
      expect(loc.href).not.toContain(code);
      expect(loc.href).not.toContain(state);
    }
  });
});
