/**
 * What `cdk deploy` ships, run: the synthesized stack's bundles, environment, routes,
 * authorizer and IAM roles (test/deployed/README.md), driven over HTTP through the real
 * flows on every provider type. Then the tier's checks, each printed by function.
 */
import { parseEnvToken } from '@shared/env/token';
import { askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser } from '../support/local';
import * as checks from './checks';
import { inputsFromEnv, startDeployedStack, type DeployedStack } from './stack';
import { loadTemplate } from './template';
import { addProviderTo, linkExpiringGitLab, providerBodies, startWorld, type World } from './world';

const inputs = inputsFromEnv();
let stack: DeployedStack;
let w: World;
let alice: Browser;
let aliceToken: string;
const mat = (k: string) => k.split(' ').slice(0, 2).join(' ');

beforeAll(async () => {
  [stack, w] = await Promise.all([startDeployedStack(loadTemplate(inputs.cdkOut), inputs), startWorld(inputs.tls)]);
  process.stdout.write(
    `\nDeployed tier on ${stack.emulator.name}. This is an ACTION-LEVEL proof: every role statement was loaded with Resource "*" ` +
      `(moto matches KMS and DynamoDB requests against "*" only) and its conditions kept (moto ignores unknown condition keys).\n` +
      stack.created.report.map((l) => `  ${l}\n`).join(''),
  );
}, 180_000);
afterAll(async () => {
  await w?.close();
  await stack?.close();
});

describe('the shipped stack serves every flow', () => {
  test('the ui function serves the page and its assets from its own asset folder', async () => {
    const page = await fetch(`${stack.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = /(?:src|href)="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    expect((await fetch(`${stack.url}${asset}`)).status).toBe(200);
  });

  test('JWT routes refuse a request without a token (the template authorizer), and answer the issuer\'s tokens', async () => {
    expect((await fetch(`${stack.url}/v1/links`)).status).toBe(401);
    alice = await Browser.signIn(stack, 'alice');
    expect((await alice.api('GET', '/v1/links')).status).toBe(200);
  });

  test('an admin creates a provider of every type (Bitbucket Server makes its signing key pair)', async () => {
    const admin = await Browser.signIn(stack, 'root', true);
    for (const body of providerBodies(w)) {
      const r = await addProviderTo(admin, w, body);
      expect({ id: body.id, status: r.status }).toEqual({ id: body.id, status: 201 });
    }
    expect((await admin.api('GET', '/v1/admin/providers')).json.providers).toHaveLength(5);
    const standIn = stack.calls.filter((c) => c.standIn);
    if (standIn.length) {
      process.stdout.write(
        `\nmoto lacks kms:GenerateDataKeyPairWithoutPlaintext: moto allowed ${standIn.map((c) => c.fn).join(', ')} to call it (IAM), ` +
          `and the harness made the key pair (its private half encrypted by moto under the same key and context). ` +
          `The request itself is covered by test/unit/kms-crypto.test.ts.\n`,
      );
    }
    // A developer is not an admin: the admin check inside the function, after the authorizer.
    expect((await alice.api('GET', '/v1/admin/providers')).status).toBe(403);
  });

  test('aws mode refuses loopback provider hosts, naming the field; private addresses stay allowed', async () => {
    const admin = await Browser.signIn(stack, 'root', true);
    const body = (id: string, baseUrl: string) => ({ id, type: 'gitlab', baseUrl, clientId: 'c', clientSecret: 's' });
    for (const url of ['https://127.0.0.1', 'https://[::1]', 'https://[::ffff:127.0.0.1]', 'https://localhost', 'https://x.localhost']) {
      const r = await admin.api('POST', '/v1/admin/providers', body('loopback', url));
      expect({ url, status: r.status, code: r.json.error?.code, field: r.json.error?.field }).toEqual({ url, status: 400, code: 'invalid_request', field: 'baseUrl' });
    }
    for (const [id, url] of [['private-10', 'https://10.0.0.5'], ['private-192', 'https://192.168.1.10']] as const) {
      expect({ url, status: (await admin.api('POST', '/v1/admin/providers', body(id, url))).status }).toEqual({ url, status: 201 });
      expect((await admin.api('DELETE', `/v1/admin/providers/${id}`)).status).toBe(200);
    }
  });

  test('a developer links every provider', async () => {
    for (const id of ['github', 'gitlab', 'bbs', 'bbdc', 'bbc']) await link(alice, id);
    const links = (await alice.api('GET', '/v1/links')).json;
    expect(JSON.stringify(links)).toContain('"gitlab"');
    expect(w.gh.keysOf('octocat')).toHaveLength(1);
  });

  test('an environment fetches a credential for every HTTPS provider, and the SSH key for Bitbucket Server', async () => {
    aliceToken = await newEnvToken(alice);
    for (const f of [w.gh, w.gl, w.dc, w.cloud]) {
      const r = await askCredential(stack, aliceToken, { protocol: 'https', host: gitHost(f.url) });
      expect({ host: gitHost(f.url), status: r.status }).toEqual({ host: gitHost(f.url), status: 200 });
      expect(r.json.password).toEqual(expect.any(String));
    }
    const key = await fetch(`${stack.url}/v1/env/ssh-key`, { headers: { authorization: `Bearer ${aliceToken}` } });
    expect(key.status).toBe(200);
    const publicKey = ((await key.json()) as { publicKey: string }).publicKey;
    expect(w.bbs.keysOf('jdoe').map((k) => mat(k.text))).toContain(mat(publicKey));
  });

  test('an expired GitLab token is refreshed once, saved, and the new one is answered', async () => {
    const carol = await linkExpiringGitLab(stack, w, 'carol', 'carol-gl');
    const [old] = w.gl.liveTokensOf('carol-gl').map((t) => t.accessToken);
    w.gl.tokens.get(old!)!.expiresAt = Date.now() - 1; // dead at GitLab too (only carol's: the others stay live)
    w.gl.behavior.refreshCalls = 0;
    const r = await askCredential(stack, await newEnvToken(carol), { protocol: 'https', host: gitHost(w.gl.url) });
    expect(r.status).toBe(200);
    expect(r.json.password).not.toBe(old);
    expect(w.gl.behavior.refreshCalls).toBe(1);
    expect(w.gl.tokens.get(r.json.password)?.revoked).toBeNull();
  });

  test('unlink while the token is expiring: refreshed, saved, key deleted, and the new token revoked', async () => {
    const bob = await linkExpiringGitLab(stack, w, 'bob', 'bob-gl');
    w.gl.behavior.refreshCalls = 0;
    const r = await bob.api('DELETE', '/v1/links/gitlab');
    expect(r.status).toBe(200);
    expect(w.gl.behavior.refreshCalls).toBe(1);
    expect({ sshKey: r.json.sshKey, token: r.json.token }).toEqual({ sshKey: 'ok', token: 'ok' });
    expect(w.gl.liveTokensOf('bob-gl')).toEqual([]);
    expect(w.gl.keysOf('bob-gl')).toEqual([]);
  });

  test('rotating the SSH key replaces it at every linked provider (refreshing an expiring token first)', async () => {
    const dave = await linkExpiringGitLab(stack, w, 'dave', 'dave-gl');
    const rotated = await dave.api('POST', '/v1/me/ssh-key/rotate');
    expect(rotated.json.providers).toEqual([{ providerId: 'gitlab', status: 'rotated' }]);
    expect(w.gl.keysOf('dave-gl').map((k) => mat(k.key))).toEqual([mat((await dave.api('GET', '/v1/me/ssh-key')).json.publicKey)]);

    const before = (await alice.api('GET', '/v1/me/ssh-key')).json.publicKey as string;
    const r = await alice.api('POST', '/v1/me/ssh-key/rotate');
    expect(r.status).toBe(200);
    expect(r.json.providers.filter((p: { status: string }) => p.status !== 'rotated')).toEqual([]);
    expect(r.json.rotated).toBe(true);
    const after = (await alice.api('GET', '/v1/me/ssh-key')).json.publicKey as string;
    expect(after).not.toBe(before);
    expect(w.gh.keysOf('octocat').map((k) => mat(k.key))).toEqual([mat(after)]);
    expect(w.gl.keysOf('tanuki').map((k) => mat(k.key))).toEqual([mat(after)]);
  });

  test('a revoked environment token is refused on the very next request', async () => {
    const { tokenId } = parseEnvToken(aliceToken)!;
    expect((await alice.api('GET', '/v1/me/tokens')).json.tokens.map((t: { id: string }) => t.id)).toContain(tokenId);
    expect((await alice.api('DELETE', `/v1/me/tokens/${tokenId}`)).status).toBe(204);
    expect((await askCredential(stack, aliceToken, { protocol: 'https', host: gitHost(w.gl.url) })).status).toBe(401);
  });

  test('an admin updates and deletes a provider (its secret and links go with it)', async () => {
    const admin = await Browser.signIn(stack, 'root', true);
    expect((await admin.api('PUT', '/v1/admin/providers/bbdc', { displayName: 'Bitbucket DC (renamed)', clientSecret: 'rotated-secret' })).status).toBe(200);
    expect((await admin.api('GET', '/v1/admin/providers/bbdc')).json.displayName).toBe('Bitbucket DC (renamed)');
    expect((await admin.api('DELETE', '/v1/admin/providers/bbc')).status).toBe(200);
    expect((await alice.api('GET', '/v1/providers')).json.providers.map((p: { id: string }) => p.id)).not.toContain('bbc');
    // The audit function reads what provider-config wrote, newest first.
    const audit = await admin.api('GET', '/v1/admin/audit?provider=bbc');
    expect(audit.status).toBe(200);
    expect(audit.json.events[0].type).toBe('provider.deleted');
  });

  test('an admin offboards alice: her links at every provider, her tokens and her key pair', async () => {
    const admin = await Browser.signIn(stack, 'root', true);
    const before = await admin.api('GET', '/v1/admin/users/alice');
    expect(before.status).toBe(200);
    expect(before.json.links.length).toBeGreaterThan(0);
    const out = await admin.api('DELETE', '/v1/admin/users/alice');
    expect(out.status).toBe(200);
    expect(out.json.providers.map((p: { link: string }) => p.link)).toEqual(before.json.links.map(() => 'deleted'));
    expect((await admin.api('GET', '/v1/admin/users/alice')).json).toMatchObject({ links: [], envTokens: [], sshKey: null });
  });

  test('the refresh schedule runs as the rule invokes it: the due days are Queried, nothing is due yet', async () => {
    const out = await stack.fns.get('refresh-scheduler')!.invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(out).toMatchObject({ ok: true, result: { due: 0, stoppedEarly: false } });
  });
});

describe('what the tier finds (each by function)', () => {
  test('no function was refused a permission by its role', () => {
    const found = checks.denied(stack);
    checks.print('Calls the emulator denied:', found);
    expect(found).toEqual([]);
  });

  test('every environment variable a function read is set by the template (or is optional by design)', () => {
    const found = checks.env(stack);
    checks.print('Variables read but not set:', found);
    expect(found).toEqual([]);
  });

  test('every file a function loaded is in its asset', () => {
    const found = checks.files(stack);
    checks.print('Files outside the assets, or missing from them:', found);
    expect(found).toEqual([]);
  });

  test('no role holds a permission that no flow used, unless checks.ts names the path that needs it', () => {
    const found = checks.unused(stack);
    checks.print('Granted but unused (logs:* are used by the Lambda service, not the code):', found);
    checks.print('Granted for paths the flows do not drive:', Object.entries(checks.notDrivenByFlows).map(([k, why]) => ({ fn: k.split(' ')[0]!, what: `${k.split(' ')[1]}: ${why}` })));
    expect(found).toEqual([]);
  });

  test('statements whose resource or condition the emulator could not check are listed', () => {
    const found = checks.unchecked(stack);
    checks.print('Not checked by the emulator (action-level proof):', found);
    expect(found.length).toBeGreaterThan(0);
  });
});
