/**
 * shared/ui: how the ui function serves the web UI — content types, caching,
 * the injected config (escaped, never a secret) and the Content-Security-Policy.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetLoader, contentTypeFor, isHashedName, readAssets } from '@shared/ui/assets';
import { browserConfig, contentSecurityPolicy, escapeHtml, renderIndex } from '@shared/ui/page';
import { uiActions } from '@shared/ui/serve';
import type { Ctx } from '@shared/http/handler';

function distDir() {
  const dir = mkdtempSync(join(tmpdir(), 'gitlink-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><!--gitlink:config--></head><body></body></html>');
  writeFileSync(join(dir, 'assets', 'main-ABCDEFGH.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

const ctx = (params: Record<string, string>, headers: Record<string, string> = {}) => ({ params, event: { headers } }) as unknown as Ctx;

describe('content types and caching', () => {
  test.each([
    ['main-ABCDEFGH.js', 'text/javascript; charset=utf-8'],
    ['main-ABCDEFGH.css', 'text/css; charset=utf-8'],
    ['github-ABCDEFGH.svg', 'image/svg+xml'],
    ['x.png', 'image/png'],
    ['x.unknown', 'application/octet-stream'],
  ])('%s is %s', (name, type) => expect(contentTypeFor(name)).toBe(type));

  test("esbuild's [name]-[hash] names are recognised as immutable; others are not", () => {
    expect(isHashedName('main-2MGH3BBS.css')).toBe(true);
    expect(isHashedName('logo.svg')).toBe(false);
    expect(isHashedName('main-lower123.js')).toBe(false);
  });

  test('hashed assets are cached for a year, gzipped when accepted; unhashed ones revalidate', async () => {
    const assets = uiActions(assetLoader({ dirs: [distDir()], watch: false }), () => ({}));
    const js = await assets['GET /assets/{proxy+}'](ctx({ proxy: 'main-ABCDEFGH.js' }, { 'Accept-Encoding': 'gzip, deflate, br' }));
    expect(js.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'content-encoding': 'gzip', vary: 'accept-encoding' });
    expect(js.isBase64Encoded).toBe(true);
    const plain = await assets['GET /assets/{proxy+}'](ctx({ proxy: 'main-ABCDEFGH.js' }));
    expect(plain.headers!['content-encoding']).toBeUndefined();
    expect(Buffer.from(plain.body!, 'base64').toString()).toContain('console.log');
    const svg = await assets['GET /assets/{proxy+}'](ctx({ proxy: 'logo.svg' }));
    expect(svg.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'cache-control': 'no-cache' });
    expect(svg.headers!['content-security-policy']).toContain('sandbox');
  });

  test('an unknown or traversing path is 404, never a file outside the build', async () => {
    const assets = uiActions(assetLoader({ dirs: [distDir()], watch: false }), () => ({}));
    for (const proxy of ['nope.js', '../index.html', '../../package.json', '%2e%2e/index.html']) {
      await expect(assets['GET /assets/{proxy+}'](ctx({ proxy }))).rejects.toMatchObject({ status: 404, code: 'not_found' });
    }
  });

  test('no build → 503 ui_not_built with the command to run', async () => {
    const assets = uiActions(assetLoader({ dirs: [join(tmpdir(), 'does-not-exist-gitlink')], watch: true }), () => ({}));
    await expect(assets['GET /'](ctx({}))).rejects.toMatchObject({ status: 503, code: 'ui_not_built' });
  });

  test('watch mode re-reads a rebuilt index.html', () => {
    const dir = distDir();
    const loader = assetLoader({ dirs: [dir], watch: true });
    expect(loader.get()!.indexHtml).not.toContain('v2');
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body>v2</body></html>');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'index.html'), later, later);
    expect(loader.get()!.indexHtml).toContain('v2');
    expect(readAssets(dir).files.has('main-ABCDEFGH.js')).toBe(true);
  });
});

describe('index.html', () => {
  test('carries the OIDC config as HTML-escaped JSON in a meta tag, and no-store', async () => {
    const assets = uiActions(assetLoader({ dirs: [distDir()], watch: false }), () => ({ issuer: 'https://idp.example.com/"><script>alert(1)</script>', clientId: 'ui' }));
    const r = await assets['GET /'](ctx({}));
    expect(r.headers!['cache-control']).toBe('no-store');
    expect(r.body).not.toContain('<script>');
    const content = /<meta name="gitlink-config" content="([^"]*)">/.exec(r.body!)![1]!;
    const decoded = content.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    expect(JSON.parse(decoded)).toEqual({ issuer: 'https://idp.example.com/"><script>alert(1)</script>', clientId: 'ui', scope: 'openid profile email' });
  });

  test('the deep link serves the same page', async () => {
    const assets = uiActions(assetLoader({ dirs: [distDir()], watch: false }), () => ({}));
    expect((await assets['GET /link/{providerId}'](ctx({ providerId: 'github' }))).body).toBe((await assets['GET /'](ctx({}))).body);
  });

  test('the browser config holds only public settings', () => {
    expect(Object.keys(browserConfig({ issuer: 'https://i', clientId: 'c', extraOrigins: ['https://x'] })).sort()).toEqual(['clientId', 'issuer', 'scope']);
  });

  test('without the marker the meta tag goes before </head>', () => {
    expect(renderIndex('<head></head>', { clientId: 'c' })).toMatch(/<meta name="gitlink-config" [^>]+>\n<\/head>/);
  });

  test('escapeHtml escapes all five characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('Content-Security-Policy', () => {
  const csp = contentSecurityPolicy({
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X',
    extraOrigins: ['https://gitlink.auth.eu-west-1.amazoncognito.com', 'not a url', 'javascript:alert(1)'],
  });
  const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

  test('no inline script or style, no frames, nothing by default but this origin', () => {
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('style-src')).toBe("style-src 'self'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(directive('base-uri')).toBe("base-uri 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });

  test('connect-src and form-action add the issuer origin and the extra sign-in origins, nothing else', () => {
    const idp = 'https://cognito-idp.eu-west-1.amazonaws.com https://gitlink.auth.eu-west-1.amazoncognito.com';
    expect(directive('connect-src')).toBe(`connect-src 'self' ${idp}`);
    expect(directive('form-action')).toBe(`form-action 'self' ${idp}`);
  });
});
