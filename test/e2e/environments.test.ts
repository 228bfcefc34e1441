/**
 * Environments over the wire (issue 5 §1, §2, §6): the local server (same
 * handlers as Lambda, dynalite), fake GitHub and GitLab over real HTTP, links
 * made through the real OAuth redirects, and environment tokens.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { parseEnvToken } from '@shared/env/token';
import { LinkStore } from '@shared/store/links';
import { keys } from '@shared/store/schema';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let gh: FakeGitHub;
let gl: FakeGitLab;
let seq = 0;
const developer = () => Browser.signIn(stack, `env-dev${++seq}`);

beforeAll(async () => {
  stack = await startTestStack();
  gh = await startFakeGitHub({ callbackUrl: `${stack.url}/oauth/callback` });
  gl = await startFakeGitLab();
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'github', type: 'github', displayName: 'GitHub', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: gh.clientSecret });
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  // Never contacted: only its host and scheme matter here.
  await addProvider(admin, { id: 'secure', type: 'gitlab', displayName: 'Secure GitLab', baseUrl: 'https://gitlab.secure.test', clientId: 'c', clientSecret: 's' });
  await addProvider(admin, { id: 'bbs', type: 'bitbucket-server', displayName: 'Bitbucket Server', baseUrl: 'https://bitbucket.corp.test' });
});
afterAll(async () => {
  await Promise.all([gh.close(), gl.close()]);
  await stack.close();
});

const glHost = () => ({ protocol: 'http', host: gitHost(gl.url) });
const liveAtGitLab = (token: string) => {
  const t = gl.tokens.get(token);
  return !!t && t.revoked === null && t.expiresAt > Date.now();
};

describe('environment tokens (issue 5 §1)', () => {
  test('created once as glk_…; only sha256(secret) is stored; the list never shows the secret', async () => {
    const dev = await developer();
    const before = Date.now();
    const r = await dev.api('POST', '/v1/me/tokens', { name: 'devbox', expiresInDays: 7 });
    expect(r.status).toBe(201);
    const parts = parseEnvToken(r.json.token)!;
    expect(parts).toMatchObject({ userId: `env-dev${seq}`, tokenId: r.json.id });
    expect(Date.parse(r.json.expiresAt) - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 1000);

    const item = (await stack.table.get(keys.envToken(parts.userId, parts.tokenId)))!;
    expect(item.secretHash).toBe(createHash('sha256').update(parts.secret).digest('hex'));
    expect(JSON.stringify(item)).not.toContain(parts.secret);
    expect(item.ttl).toBe(Math.floor(Date.parse(r.json.expiresAt) / 1000)); // expiry is enforced on read

    const list = await dev.api('GET', '/v1/me/tokens');
    expect(list.status).toBe(200);
    expect(list.json.tokens).toEqual([{ id: parts.tokenId, name: 'devbox', createdAt: expect.any(String), lastUsedAt: null, expiresAt: r.json.expiresAt }]);
    expect(JSON.stringify(list.json)).not.toContain(parts.secret);
  });

  test('without expiresInDays a token lasts 90 days', async () => {
    const r = await (await developer()).api('POST', '/v1/me/tokens', { name: 'default' });
    const days = (Date.parse(r.json.expiresAt) - Date.parse(r.json.createdAt)) / 86_400_000;
    expect(days).toBe(90);
  });

  test('DELETE revokes: the next fetch is 401 at once, even with the credential cached', async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    const token = await newEnvToken(dev);
    expect((await askCredential(stack, token, glHost())).status).toBe(200);
    expect((await askCredential(stack, token, glHost())).status).toBe(200);
    const { tokenId } = parseEnvToken(token)!;
    expect((await dev.api('DELETE', `/v1/me/tokens/${tokenId}`)).status).toBe(204);
    const after = await askCredential(stack, token, glHost());
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthorized');
    const again = await dev.api('DELETE', `/v1/me/tokens/${tokenId}`);
    expect([again.status, again.json.error.code]).toEqual([404, 'token_not_found']);
  });

  test("a developer can neither list nor revoke another developer's token", async () => {
    const alice = await developer();
    const bob = await developer();
    const { tokenId } = parseEnvToken(await newEnvToken(alice))!;
    expect((await bob.api('GET', '/v1/me/tokens')).json.tokens).toEqual([]);
    expect((await bob.api('DELETE', `/v1/me/tokens/${tokenId}`)).status).toBe(404);
    expect((await alice.api('GET', '/v1/me/tokens')).json.tokens).toHaveLength(1);
  });

  test.each([
    ['no name', {}],
    ['an empty name', { name: '  ' }],
    ['0 days', { name: 'x', expiresInDays: 0 }],
    ['over a year', { name: 'x', expiresInDays: 366 }],
    ['days as text', { name: 'x', expiresInDays: '7' }],
    ['an unknown field', { name: 'x', secret: 'mine' }],
  ])('refuses %s with 400', async (_label, body) => {
    const r = await (await developer()).api('POST', '/v1/me/tokens', body);
    expect([r.status, r.json.error.code]).toEqual([400, 'invalid_request']);
  });

  test('needs a signed-in developer', async () => {
    expect((await fetch(`${stack.url}/v1/me/tokens`)).status).toBe(401);
  });
});

describe('POST /v1/git/credential (issue 5 §2)', () => {
  test('GitLab, JSON: oauth2 + the live access token + its expiry', async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    const r = await askCredential(stack, await newEnvToken(dev), glHost());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ username: 'oauth2', password: expect.any(String), password_expiry_utc: expect.any(Number) });
    expect(liveAtGitLab(r.json.password)).toBe(true);
    expect(r.json.password_expiry_utc).toBe(Math.floor(gl.tokens.get(r.json.password)!.expiresAt / 1000));
  });

  test("text/plain in git's format is answered in git's format", async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    const r = await askCredential(stack, await newEnvToken(dev), `protocol=http\nhost=${gitHost(gl.url)}\npath=group/project.git\n\n`);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/plain/);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('username=oauth2');
    expect(liveAtGitLab(lines[1]!.replace(/^password=/, ''))).toBe(true);
    expect(lines[2]).toMatch(/^password_expiry_utc=\d+$/);
    expect(lines[3]).toBe('');
  });

  test('GitHub OAuth app (tokens do not expire): x-access-token and no expiry', async () => {
    const dev = await developer();
    await link(dev, 'github');
    const r = await askCredential(stack, await newEnvToken(dev), { protocol: 'http', host: gitHost(gh.url) });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ username: 'x-access-token', password: expect.stringMatching(/^gho_/) });
    expect(gh.liveTokensOf('octocat').map((t) => t.value)).toContain(r.json.password);
  });

  test('not linked: 404 not_linked with the UI page that links the provider', async () => {
    const r = await askCredential(stack, await newEnvToken(await developer()), glHost());
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ code: 'not_linked', providerId: 'gitlab', linkUrl: `${stack.url}/link/gitlab` });
    expect(r.json.linkUrl).toBe(`${stack.url}/link/gitlab`); // also at the top level
  });

  test('unknown host: 404 no_provider', async () => {
    const r = await askCredential(stack, await newEnvToken(await developer()), { protocol: 'https', host: 'nowhere.example' });
    expect([r.status, r.json.error.code]).toEqual([404, 'no_provider']);
  });

  test('plain http to an https provider: 400 insecure_protocol, never a token', async () => {
    const r = await askCredential(stack, await newEnvToken(await developer()), { protocol: 'http', host: 'gitlab.secure.test' });
    expect([r.status, r.json.error.code]).toEqual([400, 'insecure_protocol']);
    const ok = await askCredential(stack, await newEnvToken(await developer()), { protocol: 'https', host: 'gitlab.secure.test' });
    expect(ok.json.error.code).toBe('not_linked');
  });

  test('https to a provider served over http on loopback (local mode) answers: only http-for-https is refused', async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    const r = await askCredential(stack, await newEnvToken(dev), { protocol: 'https', host: gitHost(gl.url) });
    expect(r.status).toBe(200);
    expect(r.json.username).toBe('oauth2');
    expect(liveAtGitLab(r.json.password)).toBe(true);
  });

  test('bitbucket-server: 409 ssh_only', async () => {
    const r = await askCredential(stack, await newEnvToken(await developer()), { protocol: 'https', host: 'bitbucket.corp.test' });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'ssh_only', providerId: 'bbs' });
  });

  test('a dead grant: 409 relink_required with the reason', async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    const token = await newEnvToken(dev);
    const first = await askCredential(stack, token, glHost());
    gl.tokens.get(first.json.password)!.revoked = 'revoked'; // revoked at GitLab
    // Two hours pass: the link's token is now inside the refresh window.
    const links = new LinkStore(stack.table);
    const l = (await links.get(parseEnvToken(token)!.userId, 'gitlab'))!;
    await links.update(l.userId, 'gitlab', l.version, { expiresAt: Date.now() - 1000 });
    const r = await askCredential(stack, token, glHost());
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'relink_required', reason: 'invalid_grant', linkUrl: `${stack.url}/link/gitlab` });
    const shown = await dev.api('GET', '/v1/links');
    expect(shown.json.links[0]).toMatchObject({ providerId: 'gitlab', needsRelink: true, relinkReason: 'invalid_grant' });
  });

  test("a token names its developer: it never yields another developer's link", async () => {
    const linked = await developer();
    await link(linked, 'gitlab');
    const other = await developer();
    const r = await askCredential(stack, await newEnvToken(other), glHost());
    expect(r.json.error.code).toBe('not_linked');
  });

  test.each([
    ['no token', undefined],
    ['a malformed token', 'glk_nope'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
  ])('401 for %s', async (_label, token) => {
    const r = await askCredential(stack, token, glHost());
    expect([r.status, r.json.error.code]).toEqual([401, 'unauthorized']);
  });

  test.each([
    ['no host', 'protocol=https\n'],
    ['NUL', 'protocol=https\nhost=a\0b\n'],
    ['an ssh protocol', 'protocol=ssh\nhost=a\n'],
  ])('400 for %s', async (_label, body) => {
    const r = await askCredential(stack, await newEnvToken(await developer()), body);
    expect([r.status, r.json.error.code]).toEqual([400, 'invalid_request']);
  });
});

describe('POST /v1/git/credential: content types curl and plain clients send', () => {
  /** A raw request: exactly these headers, nothing added (fetch would add a content type). */
  const post = (token: string | undefined, body: string, contentType?: string) =>
    new Promise<{ status: number; contentType: string | undefined; text: string }>((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (contentType !== undefined) headers['content-type'] = contentType;
      const req = request(`${stack.url}/v1/git/credential`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const gitText = () => `protocol=http\nhost=${gitHost(gl.url)}\npath=group/project.git\n\n`;
  const linkedToken = async () => {
    const dev = await developer();
    await link(dev, 'gitlab');
    return newEnvToken(dev);
  };
  const expectGitAnswer = (r: { status: number; contentType: string | undefined; text: string }) => {
    expect([r.status, r.text.slice(0, 200)]).toEqual([200, expect.stringMatching(/^username=oauth2\npassword=\S+\npassword_expiry_utc=\d+\n$/)]);
    expect(r.contentType).toMatch(/^text\/plain/);
    expect(liveAtGitLab(/password=(\S+)/.exec(r.text)![1]!)).toBe(true);
  };

  test("curl's default type (application/x-www-form-urlencoded) with git's text: answered in git's format", async () => {
    expectGitAnswer(await post(await linkedToken(), gitText(), 'application/x-www-form-urlencoded'));
  });

  test('real form fields (`curl -d protocol=http -d host=…`) are read as the attributes', async () => {
    const body = new URLSearchParams({ protocol: 'http', host: gitHost(gl.url), path: 'group/project.git' }).toString();
    expectGitAnswer(await post(await linkedToken(), body, 'application/x-www-form-urlencoded'));
  });

  test("no content type at all: git's text", async () => {
    expectGitAnswer(await post(await linkedToken(), gitText()));
  });

  test('an untyped body is still size-checked at the edge', async () => {
    const r = await post(await linkedToken(), `${gitText().slice(0, -1)}path=${'a'.repeat(70 * 1024)}\n\n`);
    expect(r.status).toBe(413);
  });

  test('other content types are still refused at the edge (415)', async () => {
    expect((await post(await linkedToken(), gitText(), 'application/xml')).status).toBe(415);
  });

  test('a form body that is not a valid request: 400 invalid_request', async () => {
    const r = await post(await linkedToken(), 'protocol=ssh&host=a', 'application/x-www-form-urlencoded');
    expect([r.status, JSON.parse(r.text).error.code]).toEqual([400, 'invalid_request']);
  });
});

describe('POST /v1/git/credential: a bad token is 401 before any validation of the body', () => {
  const wrongSecret = async () => {
    const t = parseEnvToken(await newEnvToken(await developer()))!;
    return `glk_${t.userId}_${t.tokenId}_${'x'.repeat(t.secret.length)}`;
  };
  const revoked = async () => {
    const dev = await developer();
    const token = await newEnvToken(dev);
    expect((await dev.api('DELETE', `/v1/me/tokens/${parseEnvToken(token)!.tokenId}`)).status).toBe(204);
    return token;
  };
  const tokens: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    ['a malformed token', async () => 'glk_nope'],
    ['a well-formed token with a wrong secret', wrongSecret],
    ['a revoked token', revoked],
  ];
  const bodies: Array<[string, Record<string, string> | string]> = [
    ['no host (text)', 'protocol=https\n'],
    ['an ssh protocol (text)', 'protocol=ssh\nhost=a\n'],
    ['NUL (text)', 'protocol=https\nhost=a\0b\n'],
    ['not key=value (text)', 'hello\n'],
    ['an empty JSON object', {}],
    ['a bad host (JSON)', { protocol: 'https', host: 'a b' }],
  ];
  test.each(tokens.flatMap(([t, make]) => bodies.map(([b, body]) => [t, b, make, body] as const)))('%s + %s → 401', async (_t, _b, make, body) => {
    const r = await askCredential(stack, await make(), body);
    expect([r.status, r.json.error.code]).toEqual([401, 'unauthorized']);
  });

  test('no body at all, with a bad token → 401; with a good one → 400', async () => {
    const ask = (token: string) => fetch(`${stack.url}/v1/git/credential`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await ask(await wrongSecret())).status).toBe(401);
    expect((await ask(await newEnvToken(await developer()))).status).toBe(400);
  });
});

describe('GET /v1/env/ssh-key (issue 5 §6)', () => {
  const get = async (token: string | undefined, query = '') => {
    const res = await fetch(`${stack.url}/v1/env/ssh-key${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, json: (await res.json()) as any };
  };

  test("the token's own developer's key pair, in OpenSSH format, and the hosts to use it with", async () => {
    const dev = await developer();
    const mine = await dev.api('GET', '/v1/me/ssh-key');
    const r = await get(await newEnvToken(dev));
    expect(r.status).toBe(200);
    expect(r.json.publicKey).toBe(mine.json.publicKey);
    expect(r.json.fingerprint).toBe(mine.json.fingerprint);
    expect(r.json.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+-----END OPENSSH PRIVATE KEY-----\n$/);
    expect(r.json.sshHosts).toEqual(expect.arrayContaining(['127.0.0.1', 'bitbucket.corp.test', 'gitlab.secure.test']));
    // bitbucket-server serves git over SSH only: it has no HTTPS entry.
    expect(r.json.httpsHosts).toEqual([gh.url, gl.url, 'https://gitlab.secure.test'].sort());
    // The private key really is the public key's other half.
    const file = join(mkdtempSync(join(tmpdir(), 'gitlink-key-')), 'id');
    writeFileSync(file, r.json.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
    expect(derived).toBe(mine.json.publicKey.split(' ').slice(0, 2).join(' '));
  });

  test('another developer gets their own key, never mine', async () => {
    const a = await developer();
    const b = await developer();
    const ka = await get(await newEnvToken(a));
    const kb = await get(await newEnvToken(b));
    expect(ka.json.privateKey).not.toBe(kb.json.privateKey);
    expect(kb.json.publicKey).toBe((await b.api('GET', '/v1/me/ssh-key')).json.publicKey);
  });

  test('hostsOnly=true leaves the private key out', async () => {
    const r = await get(await newEnvToken(await developer()), '?hostsOnly=true');
    expect(r.status).toBe(200);
    expect(r.json.privateKey).toBeUndefined();
    expect(r.json.httpsHosts).toContain(gl.url);
  });

  test('a hostsOnly value that is not a boolean is a 400, not a silent private key', async () => {
    const r = await get(await newEnvToken(await developer()), '?hostsOnly=yes');
    expect([r.status, r.json.error.code]).toEqual([400, 'invalid_request']);
    expect(r.json.privateKey).toBeUndefined();
  });

  test('401 without a valid token', async () => {
    expect((await get(undefined)).status).toBe(401);
    expect((await get('glk_forged')).status).toBe(401);
  });
});
