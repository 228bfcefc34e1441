/**
 * What ships: each function bundled exactly as CDK bundles it (infra/bundling.ts)
 * builds, and carries no sandbox or test code: no local/ or test/ module, no
 * devDependency, and not the marker string sandbox code carries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { entryFor } from '../../infra/functions';
import { functionNames } from '@shared/routes';
import { projectRoot } from './synth';

const MARKER = 'SANDBOX_MARKER_DO_NOT_SHIP';
const devDependencies = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> })
    .devDependencies ?? {},
);

/**
 * Each function ships the SDK clients its routes use and no other, written out
 * here rather than derived from `functionNeeds`, so a wrong row fails too.
 */
const CLIENTS = ['client-dynamodb', 'client-kms', 'client-secrets-manager', 'client-eventbridge'] as const;
const STORE_CRYPTO_SECRETS = ['client-dynamodb', 'client-kms', 'client-secrets-manager'] as const;
const clientsOf: Record<(typeof functionNames)[number], ReadonlyArray<(typeof CLIENTS)[number]>> = {
  ui: [],
  providers: ['client-dynamodb'],
  'provider-config': CLIENTS,
  // Starting a link announces nothing: no EventBridge client.
  'link-start': STORE_CRYPTO_SECRETS,
  'oauth-callback': CLIENTS,
  links: CLIENTS,
  me: CLIENTS,
  'git-credential': CLIENTS,
  'admin-users': CLIENTS,
  // Reading the audit is a Query.
  audit: ['client-dynamodb'],
  // Refreshes and saves tokens, announces them; no route.
  'refresh-scheduler': CLIENTS,
};

describe.each([...functionNames])('bundle of %s', (name) => {
  let bundle: { js: string; inputs: string[]; shipped: string[] };

  beforeAll(async () => {
    const result = await build({ ...esbuildOptions(entryFor(name), projectRoot), write: false, metafile: true, logLevel: 'silent' });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    // Metafile input keys are relative to absWorkingDir (the project root); a leading `/`
    // lets one pattern match a top-level `test/…` as well as a nested `…/test/…`.
    // `shipped`: inputs that left bytes in the output (tree-shaken files are still listed as inputs).
    const out = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    const shipped = Object.entries(out?.inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => `/${p}`);
    bundle = { js: js?.text ?? '', inputs: Object.keys(result.metafile.inputs).map((p) => `/${p}`), shipped };
  }, 60_000);

  test('builds from its own entry', () => {
    expect(bundle.js.length).toBeGreaterThan(0);
    expect(bundle.inputs).toContain(`/functions/${name}.ts`);
  });

  test(`contains no ${MARKER}`, () => {
    expect(bundle.js).not.toContain(MARKER);
  });

  test('imports nothing from test/ or local/', () => {
    expect(bundle.inputs.filter((p) => p.includes('/test/') || p.includes('/local/'))).toEqual([]);
  });

  // A barrel import of zod (`import { z } from 'zod'`) pulls every zod locale (~250 KiB) into
  // each Lambda; shared/zod.ts loads the English one alone.
  test('ships no zod locale but English', () => {
    expect(bundle.shipped.length).toBeGreaterThan(10);
    expect(bundle.shipped.filter((p) => p.includes('/zod/') && p.includes('/locales/') && !/\/locales\/(en|index)\.js$/.test(p))).toEqual([]);
  });

  // Classic zod's schemas carry every method (`.min`, `.optional`, `.transform`, …), so esbuild keeps
  // all of them: 93 KB per bundle where zod/mini's functional API leaves 36–45 KB (shared/zod.ts).
  test('ships zod/mini, not classic zod', () => {
    expect(bundle.shipped.filter((p) => p.includes('/zod/') && !p.includes('/zod/v4/classic/'))).not.toEqual([]);
    expect(bundle.shipped.filter((p) => p.includes('/zod/v4/classic/') || /\/zod\/(index|v4\/index)\.js$/.test(p))).toEqual([]);
  });

  // Lambda hands the role's credentials over in the environment; the SDK's default chain
  // (SSO, ini files, web identity, IMDS: its nested STS/SSO clients) must not ship (infra/bundling.ts).
  test('ships no credential provider beyond the environment', () => {
    expect(bundle.shipped.filter((p) => /\/@aws-sdk\/(credential-provider-(node|ini|sso|web-identity|process|http|login)|nested-clients|token-providers)\/|\/@smithy\/credential-provider-imds\//.test(p))).toEqual([]);
  });

  // The SDK's dist-cjs is one pre-bundled file per package that esbuild cannot tree-shake;
  // its ES modules can (mainFields in infra/bundling.ts).
  test('ships the AWS SDK as ES modules, and no browser-only code', () => {
    expect(bundle.shipped.filter((p) => /\/node_modules\/@(aws-sdk|smithy)\/[^/]+\/dist-cjs\//.test(p))).toEqual([]);
    expect(bundle.shipped.filter((p) => /\/node_modules\/bowser\/|\/@smithy\/fetch-http-handler\/|util-user-agent-browser/.test(p))).toEqual([]);
  });

  test(`ships exactly the SDK clients its routes use: ${clientsOf[name].join(', ') || 'none'}`, () => {
    expect(CLIENTS.filter((c) => bundle.shipped.some((p) => p.includes(`/@aws-sdk/${c}/`)))).toEqual([...clientsOf[name]]);
    if (clientsOf[name].length === 0) expect(bundle.shipped.filter((p) => p.includes('/@aws-sdk/') || p.includes('/@smithy/'))).toEqual([]);
  });

  test('includes no devDependency (dynalite, fast-check, aws-cdk-lib, …)', () => {
    const shipped = bundle.inputs.filter((p) => devDependencies.some((d) => p.includes(`/node_modules/${d}/`)));
    expect(shipped).toEqual([]);
  });
});

