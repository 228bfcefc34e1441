/**
 * The ui Lambda ships the web UI: its bundle, built like CDK builds it
 * (infra/bundling.ts + the ui's afterBundling hook in infra/functions.ts), serves
 * index.html and every hashed asset from the asset folder alone — run here in a
 * separate Node process, from a temporary directory, as Lambda would run it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { entryFor, uiBundling } from '../../infra/functions';
import { logicalId, projectRoot, synth } from './synth';

let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'gitlink-ui-asset-'));
  await build({ ...esbuildOptions(entryFor('ui'), projectRoot), outfile: join(outDir, 'index.js'), logLevel: 'silent' });
  for (const cmd of uiBundling.commandHooks!.afterBundling(projectRoot, outDir)) {
    execFileSync('bash', ['-c', cmd], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Invokes the bundled handler in a fresh Node process with Lambda-like settings. */
function invoke(routeKey: string, rawPath: string, pathParameters?: Record<string, string>, headers: Record<string, string> = {}) {
  const event = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers,
    ...(pathParameters ? { pathParameters } : {}),
    isBase64Encoded: false,
    requestContext: { domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', http: { method: 'GET', path: rawPath } },
  };
  const script = `require(${JSON.stringify(join(outDir, 'index.js'))}).handler(${JSON.stringify(event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH,
      GITLINK_MODE: 'aws',
      GITLINK_CRYPTO: 'aws',
      TOKEN_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/token',
      SIGNING_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/signing',
      OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      OIDC_CLIENT_ID: 'exampleclientid',
      OIDC_EXTRA_ORIGINS: 'https://gitlink-111122223333.auth.eu-west-1.amazoncognito.com',
      LOG_LEVEL: 'ERROR',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded?: boolean };
}

describe('the ui Lambda asset', () => {
  test('holds the handler and the built web UI', () => {
    expect(readdirSync(outDir).sort()).toEqual(expect.arrayContaining(['index.js', 'web']));
    expect(readdirSync(join(outDir, 'web'))).toContain('index.html');
    expect(readdirSync(join(outDir, 'web', 'assets')).some((f) => /^main-[A-Z2-7]{8}\.js$/.test(f))).toBe(true);
  });

  test('GET / answers index.html with the config, no-store and a CSP allowing the Cognito origins', () => {
    const r = invoke('GET /', '/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    const csp = r.headers['content-security-policy']!;
    expect(csp).toContain("connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com https://gitlink-111122223333.auth.eu-west-1.amazoncognito.com");
    const html = Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
    expect(html).toContain('<meta name="gitlink-config" content="{&quot;issuer&quot;:&quot;https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example&quot;');
  });

  test('GET /assets/{hashed js} answers JavaScript, cacheable for a year', () => {
    const js = readdirSync(join(outDir, 'web', 'assets')).find((f) => f.endsWith('.js'))!;
    const r = invoke('GET /assets/{proxy+}', `/assets/${js}`, { proxy: js }, { 'accept-encoding': 'gzip, br' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.isBase64Encoded).toBe(true);
  });

  test('GET /install.sh answers the sh installer from the asset alone: public, cacheable, with an ETag', () => {
    expect(readdirSync(join(outDir, 'sh')).sort()).toEqual(['gitlink', 'install.sh']);
    const r = invoke('GET /install.sh', '/install.sh');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.headers['cache-control']).toBe('public, max-age=300');
    expect(r.body.startsWith('#!/bin/sh\n')).toBe(true);
    expect(r.body).toContain('git-credential-gitlink get|store|erase'); // the gitlink script is inside
    const again = invoke('GET /install.sh', '/install.sh', undefined, { 'if-none-match': r.headers.etag! });
    expect(again.statusCode).toBe(304);
    expect(again.body ?? '').toBe('');
  });

  test('the deep link /link/{providerId} answers the same page', () => {
    const r = invoke('GET /link/{providerId}', '/link/github', { providerId: 'github' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('the ui function\'s environment', () => {
  test('with Cognito, OIDC_EXTRA_ORIGINS is the hosted UI domain (token endpoint), on the ui function only', () => {
    const { stack, template } = synth();
    const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
    const ui = fns[logicalId(stack, stack.functions.byName.ui)]!;
    expect(JSON.stringify(ui.Properties.Environment.Variables.OIDC_EXTRA_ORIGINS)).toContain('.amazoncognito.com');
    const others = Object.entries(fns).filter(([id]) => id !== logicalId(stack, stack.functions.byName.ui));
    expect(others.filter(([, f]) => 'OIDC_EXTRA_ORIGINS' in f.Properties.Environment.Variables)).toEqual([]);
  });

  test('with an external issuer there is none (its endpoints are on the issuer origin unless configured)', () => {
    const { template } = synth({ issuer: 'https://login.example.com/', audience: 'gitlink-ui' });
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment: { Variables: Record<string, unknown> } } }>;
    expect(fns.filter((f) => 'OIDC_EXTRA_ORIGINS' in f.Properties.Environment.Variables)).toEqual([]);
  });

  test('context oidcExtraOrigins (comma-separated, as -c passes it) becomes OIDC_EXTRA_ORIGINS on the ui function only', () => {
    const { stack, template } = synth({ issuer: 'https://login.example.com/', audience: 'gitlink-ui', oidcExtraOrigins: 'https://token.example.com, https://logout.example.com/' });
    const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
    const uiId = logicalId(stack, stack.functions.byName.ui);
    expect(fns[uiId]!.Properties.Environment.Variables.OIDC_EXTRA_ORIGINS).toBe('https://token.example.com https://logout.example.com');
    expect(Object.entries(fns).filter(([id, f]) => id !== uiId && 'OIDC_EXTRA_ORIGINS' in f.Properties.Environment.Variables)).toEqual([]);
    // With Cognito, the listed origins come after its hosted-UI domain.
    const cognito = synth({ oidcExtraOrigins: 'https://other.example.com' });
    const ui = (cognito.template.findResources('AWS::Lambda::Function') as typeof fns)[logicalId(cognito.stack, cognito.stack.functions.byName.ui)]!;
    const value = JSON.stringify(ui.Properties.Environment.Variables.OIDC_EXTRA_ORIGINS);
    expect(value).toContain('.amazoncognito.com');
    expect(value).toContain(' https://other.example.com');
  });

  test('oidcExtraOrigins must be https origins', () => {
    expect(() => synth({ oidcExtraOrigins: 'http://token.example.com' })).toThrow(/"oidcExtraOrigins" must be an https origin/);
    expect(() => synth({ oidcExtraOrigins: 'https://token.example.com/path' })).toThrow(/"oidcExtraOrigins" must be an https origin/);
  });
});
