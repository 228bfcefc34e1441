/**
 * Bitbucket Server (OAuth 1.0a, RSA-SHA1) end to end: the local server against the fake
 * Bitbucket Server, which verifies every signature with its own RFC 5849 code against the
 * public key the admin API shows (ARCHITECTURE.md §3 "Link (OAuth 1.0a)", issue 4).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { LocalStack } from '../../local/app';
import { setLogSink } from '@shared/log';
import { providerFor } from '@shared/providers';
import type { ProviderConfig, ProviderContext } from '@shared/providers/types';
import { startFakeBitbucketServer, type FakeBitbucketServer } from '../providers/bitbucket-server';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let bbs: FakeBitbucketServer;
let admin: Browser;
/** The admin answer for provider `bbs`, as created. */
let created: Record<string, any>;

beforeAll(async () => {
  stack = await startTestStack();
  bbs = await startFakeBitbucketServer();
  admin = await Browser.signIn(stack, 'root', true);
  const res = await admin.api('POST', '/v1/admin/providers', { id: 'bbs', type: 'bitbucket-server', displayName: 'Bitbucket', baseUrl: bbs.url });
  expect(res.status).toBe(201);
  created = res.json;
  // The admin pastes what the answer shows into the Application Link's Incoming Authentication.
  bbs.registerConsumer({ key: created.consumerKey, name: created.consumerName, publicKeyPem: created.publicKeyPem });
});
afterAll(async () => {
  await bbs?.close();
  await stack?.close();
});

/** Starts a link as `b`, lets the fake approve as `username`, and follows the redirects like a browser. */
async function link(b: Browser, providerId: string, username: string) {
  bbs.behavior.nextUser = username;
  const start = await b.api('POST', `/v1/links/${providerId}`);
  expect(start.status).toBe(200);
  return new URL((await b.navigate(start.json.authorizeUrl)).url);
}

/** The callback URL the fake sends the browser to, without following it. */
async function callbackUrlOf(authorizeUrl: string): Promise<string> {
  const r = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(r.status).toBe(302);
  return r.headers.get('location')!;
}

const otherKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const restore = () => bbs.registerConsumer({ key: created.consumerKey, name: created.consumerName, publicKeyPem: created.publicKeyPem });
const linksOf = async (b: Browser) => (await b.api('GET', '/v1/links')).json.links as Array<Record<string, any>>;
const countOf = (path: string) => bbs.requests.filter((r) => r.path === path).length;

describe('admin answer: what the Application Link form asks for', () => {
  test('consumer key (default gitlink), consumer name, public key, homepage and callback URLs, and where they go', () => {
    expect(created).toMatchObject({ type: 'bitbucket-server', consumerKey: 'gitlink', consumerName: 'gitlink', clientSecretSet: false, scopes: [] });
    expect(created.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(created.homepageUrl).toBe(stack.url);
    expect(created.callbackUrl).toBe(`${stack.url}/oauth/callback`);
    expect(created.setupHint).toMatch(/Application Links/);
    expect(created.setupHint).toMatch(/Incoming Authentication/);
    expect(created.pendingPublicKeyPem).toBeUndefined();
    expect(created.applicationLink).toEqual({
      form: expect.stringMatching(/Incoming Authentication/),
      applicationUrl: stack.url,
      consumerKey: 'gitlink',
      consumerName: 'gitlink',
      publicKeyPem: created.publicKeyPem,
      consumerCallbackUrl: `${stack.url}/oauth/callback`,
    });
    expect(JSON.stringify(created)).not.toMatch(/PRIVATE KEY|privateKeyCiphertext/);
  });
});

describe('link, key upload and unlink (RFC 5849, every request signed RSA-SHA1)', () => {
  test('links the account, registers the SSH key, then unlink deletes it and reports revoke unsupported', async () => {
    const dev = await Browser.signIn(stack, 'dev-1');
    const jdoe = bbs.addUser('jdoe');
    const back = await link(dev, 'bbs', 'jdoe');
    expect(back.searchParams.get('linked')).toBe('bbs');
    expect(back.searchParams.get('warning')).toBeNull();

    const [l] = await linksOf(dev);
    // The numeric user id is the stable account id; whoami's username is the login.
    expect(l).toMatchObject({ providerId: 'bbs', login: 'jdoe', accountId: String(jdoe.id), sshKeyRegistered: true });
    const { publicKey } = (await dev.api('GET', '/v1/me/ssh-key')).json;
    expect(bbs.keysOf('jdoe').map((k) => k.text)).toEqual([publicKey.trim()]);

    // The key upload is JSON and was accepted: its body stayed out of the base string.
    const upload = bbs.requests.find((r) => r.method === 'POST' && r.path === '/rest/ssh/1.0/keys')!;
    expect(upload.headers['content-type']).toContain('application/json');
    expect(upload.headers.authorization).toMatch(/^OAuth .*oauth_signature_method="RSA-SHA1"/);
    // Every server-to-server request was signed (the browser's GET of the authorize page is not).
    for (const r of bbs.requests.filter((x) => x.path !== '/plugins/servlet/oauth/authorize')) expect(r.headers.authorization).toMatch(/^OAuth /);

    const out = await dev.api('DELETE', '/v1/links/bbs');
    expect(out.status).toBe(200);
    expect(out.json).toEqual({ providerId: 'bbs', sshKey: 'ok', token: 'unsupported', link: 'deleted', errors: {} });
    expect(bbs.keysOf('jdoe')).toEqual([]);
    expect(await linksOf(dev)).toEqual([]);
  });

  test('a username whose URL slug differs (jane.doe@corp) still resolves to its numeric id', async () => {
    const dev = await Browser.signIn(stack, 'dev-2');
    const jane = bbs.addUser('jane.doe@corp');
    expect(jane.slug).toBe('jane.doe_corp');
    expect((await link(dev, 'bbs', 'jane.doe@corp')).searchParams.get('linked')).toBe('bbs');
    expect((await linksOf(dev))[0]).toMatchObject({ login: 'jane.doe@corp', accountId: String(jane.id) });
  });

  test('"Deny" (oauth_verifier=denied) ends in ?error=access_denied and no link', async () => {
    const dev = await Browser.signIn(stack, 'dev-3');
    bbs.behavior.deny = true;
    try {
      expect((await link(dev, 'bbs', 'jdoe')).searchParams.get('error')).toBe('access_denied');
    } finally {
      bbs.behavior.deny = false;
    }
    expect(await linksOf(dev)).toEqual([]);
  });
});

describe('signatures the fake refuses', () => {

  test('a link signed with a key the application link does not hold: the start fails cleanly (502 oauth_error)', async () => {
    bbs.registerConsumer({ key: created.consumerKey, publicKeyPem: otherKey() });
    try {
      const dev = await Browser.signIn(stack, 'dev-4');
      const before = bbs.requests.length;
      const start = await dev.api('POST', '/v1/links/bbs');
      expect(start.status).toBe(502);
      expect(start.json.error.code).toBe('oauth_error');
      expect(start.json.error.message).toContain('signature_invalid');
      expect(bbs.requests.slice(before).map((r) => r.path)).toEqual(['/plugins/servlet/oauth/request-token']);
    } finally {
      restore();
    }
  });

  test('a signature that stops verifying before the access-token request: the callback ends in ?error=exchange_failed', async () => {
    const dev = await Browser.signIn(stack, 'dev-5');
    bbs.behavior.nextUser = 'jdoe';
    const start = await dev.api('POST', '/v1/links/bbs');
    const callback = await callbackUrlOf(start.json.authorizeUrl);
    bbs.registerConsumer({ key: created.consumerKey, publicKeyPem: otherKey() });
    try {
      const back = new URL((await dev.navigate(callback)).url);
      expect(back.searchParams.get('error')).toBe('exchange_failed');
      expect(back.searchParams.get('provider')).toBe('bbs');
    } finally {
      restore();
    }
    expect(await linksOf(dev)).toEqual([]);
  });

  test.each([
    ['ahead', 301],
    ['behind', -301],
  ])('a provider clock %s by more than 300 s refuses the timestamp', async (_label, skew) => {
    bbs.setClockSkew(skew);
    try {
      const dev = await Browser.signIn(stack, 'dev-6');
      const start = await dev.api('POST', '/v1/links/bbs');
      expect(start.status).toBe(502);
      expect(start.json.error.message).toContain('timestamp_refused');
    } finally {
      bbs.setClockSkew(0);
    }
  });

  test('a provider clock within 300 s is accepted', async () => {
    bbs.setClockSkew(-240);
    try {
      const dev = await Browser.signIn(stack, 'dev-7');
      expect((await link(dev, 'bbs', 'jdoe')).searchParams.get('linked')).toBe('bbs');
    } finally {
      bbs.setClockSkew(0);
    }
  });
});

describe('the request token is single-use and bound to the browser that asked for it', () => {
  test('a request token replayed at the callback is refused (invalid_state), without a second exchange', async () => {
    const dev = await Browser.signIn(stack, 'dev-8');
    bbs.behavior.nextUser = 'jdoe';
    const start = await dev.api('POST', '/v1/links/bbs');
    const callback = await callbackUrlOf(start.json.authorizeUrl);
    expect(new URL((await dev.navigate(callback)).url).searchParams.get('linked')).toBe('bbs');
    const exchanges = countOf('/plugins/servlet/oauth/access-token');

    const replay = new URL((await dev.navigate(callback)).url);
    expect(replay.searchParams.get('error')).toBe('invalid_state');
    expect(countOf('/plugins/servlet/oauth/access-token')).toBe(exchanges);
  });

  test('a callback with an unknown oauth_token is refused (invalid_state)', async () => {
    const dev = await Browser.signIn(stack, 'dev-9');
    const exchanges = countOf('/plugins/servlet/oauth/access-token');
    const back = new URL((await dev.navigate(`${stack.url}/oauth/callback?oauth_token=unknownToken123&oauth_verifier=abc123`)).url);
    expect(back.searchParams.get('error')).toBe('invalid_state');
    expect(countOf('/plugins/servlet/oauth/access-token')).toBe(exchanges);
    expect(await linksOf(dev)).toEqual([]);
  });

  test('cross-user session fixation: A starts, B\'s browser completes → browser_mismatch, no link for either', async () => {
    const attacker = await Browser.signIn(stack, 'attacker');
    const victim = await Browser.signIn(stack, 'victim');
    bbs.addUser('victim-at-bitbucket');
    bbs.behavior.nextUser = 'victim-at-bitbucket';
    const start = await attacker.api('POST', '/v1/links/bbs');
    expect(start.status).toBe(200);
    const exchanges = countOf('/plugins/servlet/oauth/access-token');

    // The attacker sends the authorize URL to the victim, who approves in their own browser.
    const back = new URL((await victim.navigate(start.json.authorizeUrl)).url);
    expect(back.searchParams.get('error')).toBe('browser_mismatch');
    expect(countOf('/plugins/servlet/oauth/access-token')).toBe(exchanges);
    expect(await linksOf(attacker)).toEqual([]);
    expect(await linksOf(victim)).toEqual([]);
    expect(bbs.keysOf('victim-at-bitbucket')).toEqual([]);
  });
});

describe('signing-key rotation: the old key signs until the admin confirms', () => {
  test('rotate → pending key shown; links keep working with the old key; after paste + confirm, with the new one', async () => {
    // Its own provider and consumer key (configurable, so deployments can share one Bitbucket).
    const made = await admin.api('POST', '/v1/admin/providers', {
      id: 'bbs-rot', type: 'bitbucket-server', displayName: 'Bitbucket (rotation)', baseUrl: bbs.url, consumerKey: 'gitlink-rot',
    });
    expect(made.status).toBe(201);
    expect(made.json.consumerKey).toBe('gitlink-rot');
    const oldPem = made.json.publicKeyPem as string;
    bbs.registerConsumer({ key: 'gitlink-rot', publicKeyPem: oldPem });
    const dev = await Browser.signIn(stack, 'dev-rot');
    bbs.addUser('rot-user');

    const rotated = await admin.api('POST', '/v1/admin/providers/bbs-rot/rotate-signing-key');
    expect(rotated.status).toBe(200);
    // The answer carries the new public key, to paste; the previous one still signs until confirmed.
    expect(rotated.json.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(rotated.json.publicKeyPem).not.toBe(oldPem);
    expect(rotated.json.pendingPublicKeyPem).toBe(rotated.json.publicKeyPem);
    expect(rotated.json.previousPublicKeyPem).toBe(oldPem);
    expect(rotated.json.applicationLink.publicKeyPem).toBe(rotated.json.publicKeyPem);

    // Before confirmation: the old key still signs, so links work against the unchanged application link.
    expect((await link(dev, 'bbs-rot', 'rot-user')).searchParams.get('linked')).toBe('bbs-rot');

    // The admin pastes the new key. Bitbucket now refuses the old one, so gitlink signs with the new one:
    // no link breaks between the paste and the confirmation.
    bbs.registerConsumer({ key: 'gitlink-rot', publicKeyPem: rotated.json.pendingPublicKeyPem });
    const before = bbs.requests.length;
    expect((await link(dev, 'bbs-rot', 'rot-user')).searchParams.get('linked')).toBe('bbs-rot');
    const refusedOld = bbs.requests.slice(before).filter((r) => r.path === '/plugins/servlet/oauth/request-token').length;
    expect(refusedOld).toBe(2); // old key refused once, then the new key; afterwards the new key goes first
    const again = bbs.requests.length;
    expect((await link(dev, 'bbs-rot', 'rot-user')).searchParams.get('linked')).toBe('bbs-rot');
    expect(bbs.requests.slice(again).filter((r) => r.path === '/plugins/servlet/oauth/request-token').length).toBe(1);

    const confirmed = await admin.api('POST', '/v1/admin/providers/bbs-rot/confirm-signing-key');
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.publicKeyPem).toBe(rotated.json.pendingPublicKeyPem);
    expect(confirmed.json.pendingPublicKeyPem).toBeUndefined();
    expect(confirmed.json.previousPublicKeyPem).toBeUndefined();
    expect((await link(dev, 'bbs-rot', 'rot-user')).searchParams.get('linked')).toBe('bbs-rot');

    // The existing link's calls are signed with the new key too: unlink deletes the key at Bitbucket.
    const out = await dev.api('DELETE', '/v1/links/bbs-rot');
    expect(out.json).toMatchObject({ sshKey: 'ok', token: 'unsupported' });
    expect(bbs.keysOf('rot-user')).toEqual([]);
  });
});

describe('ARCHITECTURE.md §7: no token, verifier, signature or private key in logs or error details', () => {
  test('a full run with a replay and a refused REST call logs none of them', async () => {
    const lines: string[] = [];
    setLogSink((level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })));
    try {
      const dev = await Browser.signIn(stack, 'dev-logs');
      bbs.addUser('logger');
      bbs.behavior.nextUser = 'logger';
      const start = await dev.api('POST', '/v1/links/bbs');
      const callback = new URL(await callbackUrlOf(start.json.authorizeUrl));
      expect(new URL((await dev.navigate(callback.toString())).url).searchParams.get('linked')).toBe('bbs');
      await dev.navigate(callback.toString()); // refused replay
      bbs.registerConsumer({ key: created.consumerKey, publicKeyPem: otherKey() });
      try {
        const out = await dev.api('DELETE', '/v1/links/bbs'); // the key delete is refused: signature_invalid
        expect(out.json).toMatchObject({ sshKey: 'failed', token: 'unsupported', link: 'deleted' });
      } finally {
        restore();
      }
      const access = [...bbs.accessTokens.values()].filter((t) => t.username === 'logger').map((t) => t.token);
      expect(access).toHaveLength(1);
      const all = lines.join('\n');
      for (const secret of [callback.searchParams.get('oauth_token')!, callback.searchParams.get('oauth_verifier')!, ...access]) {
        expect(all).not.toContain(secret);
      }
      expect(all).not.toMatch(/PRIVATE KEY|oauth_signature/);
    } finally {
      setLogSink(undefined);
    }
  });

  test('a refused REST call keeps only the oauth_problem: Atlassian echoes the base string, which holds the access token', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const accessToken = [...bbs.accessTokens.keys()][0]!;
    const ctx: ProviderContext = {
      config: { ...(created as ProviderConfig) },
      clientSecret: async () => '',
      signingKeys: () => [{ pem: async () => other, accepted: () => undefined }],
      callbackUrl: `${stack.url}/oauth/callback`,
      timeoutMs: 5000,
      allowLoopback: true, // the fakes listen on 127.0.0.1
    };
    const err = await providerFor('bitbucket-server').api(ctx, { accessToken }).identity().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_refused', providerStatus: 401 });
    const detail = (err as { detail?: string }).detail ?? '';
    expect(detail).toContain('oauth_problem=signature_invalid');
    expect(detail).not.toContain(accessToken);
    expect(detail).not.toContain('base_string');
  });
});

describe('identity without the users REST API', () => {
  test('whoami alone is enough: the username becomes the account id', async () => {
    const bare = await startFakeBitbucketServer({ usersApi: false });
    try {
      const res = await admin.api('POST', '/v1/admin/providers', { id: 'bbs-bare', type: 'bitbucket-server', baseUrl: bare.url });
      bare.registerConsumer({ key: res.json.consumerKey, name: res.json.consumerName, publicKeyPem: res.json.publicKeyPem });
      const dev = await Browser.signIn(stack, 'dev-bare');
      bare.behavior.nextUser = 'jdoe';
      const start = await dev.api('POST', '/v1/links/bbs-bare');
      const end = new URL((await dev.navigate(start.json.authorizeUrl)).url);
      expect(Object.fromEntries(end.searchParams)).toEqual({ linked: 'bbs-bare' });
      expect((await linksOf(dev)).find((l) => l.providerId === 'bbs-bare')).toMatchObject({ accountId: 'jdoe', login: 'jdoe', sshKeyRegistered: true });
    } finally {
      await admin.api('DELETE', '/v1/admin/providers/bbs-bare');
      await bare.close();
    }
  });
});
