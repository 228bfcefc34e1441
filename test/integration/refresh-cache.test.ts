/**
 * The decrypted-credential cache (ARCHITECTURE.md §5, issue 5 §4) and the environment
 * token checks, over the wire to dynalite and the fake GitLab. The crypto port
 * is wrapped in a counting decorator (it stands for KMS) and the DynamoDB
 * client counts the commands it sends.
 */
import { AppError } from '@shared/errors';
import { MAX_CACHE_MS } from '@shared/env/cache';
import { EnvService } from '@shared/env/service';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { gitHost, seedEnvToken, seedLink, seedProvider, startHarness, type Harness } from '../support/env';

const ORIGIN = 'http://127.0.0.1';
const TWO_HOURS = 2 * 60 * 60_000;
let gl: FakeGitLab;
let h: Harness;
let userSeq = 0;

beforeAll(async () => {
  gl = await startFakeGitLab();
  h = await startHarness({ secrets: { gitlab: gl.clientSecret } });
  await seedProvider(h, { id: 'gitlab', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId });
});
afterAll(async () => {
  await gl.close();
  await h.close();
});

const ask = () => ({ protocol: 'http' as const, host: gitHost(gl.url) });
const decrypts = () => h.cryptoCalls.filter((c) => c.op === 'decrypt').length;
const codeOf = (e: unknown) => (e instanceof AppError ? e.code : String(e));
const reset = () => {
  h.dynamoCalls.length = 0;
  h.cryptoCalls.length = 0;
};

async function linkedDeveloper() {
  const userId = `dev${++userSeq}`;
  const minted = gl.mintToken('tanuki');
  await seedLink(h, userId, 'gitlab', { ...minted, expiresAt: h.clock.now() + TWO_HOURS });
  return { userId, token: await seedEnvToken(h, userId), accessToken: minted.accessToken };
}

describe('decrypted-credential cache, per container', () => {
  beforeEach(() => {
    h.clock.offset = 0;
  });

  test('a warm fetch costs one DynamoDB read (the BatchGetItem) and no KMS call', async () => {
    const { token, accessToken } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    reset();
    expect((await env.credential(token, ask(), ORIGIN)).password).toBe(accessToken);
    expect(decrypts()).toBe(1); // cold: the access token only; the refresh token stays encrypted
    reset();
    const warm = await env.credential(token, ask(), ORIGIN);
    expect(warm).toEqual({ username: 'oauth2', password: accessToken, password_expiry_utc: expect.any(Number) });
    expect(h.dynamoCalls).toEqual(['BatchGetItemCommand']);
    expect(h.cryptoCalls).toEqual([]);
  });

  test('an entry lives at most 60 s', async () => {
    const { token } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    await env.credential(token, ask(), ORIGIN);
    h.clock.offset = MAX_CACHE_MS - 1000;
    reset();
    await env.credential(token, ask(), ORIGIN);
    expect(decrypts()).toBe(0);
    h.clock.offset = MAX_CACHE_MS + 1;
    reset();
    await env.credential(token, ask(), ORIGIN);
    expect(decrypts()).toBe(1);
  });

  test('another container has its own cache (nothing is shared but the table)', async () => {
    const { token } = await linkedDeveloper();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    reset();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(decrypts()).toBe(1);
  });

  test('unlink takes effect on the next fetch', async () => {
    const { userId, token } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    await env.credential(token, ask(), ORIGIN);
    await h.deps.links.delete(userId, 'gitlab');
    const err = await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('not_linked');
    expect((err as AppError).extra).toMatchObject({ linkUrl: `${ORIGIN}/link/gitlab` });
  });

  test('relink takes effect on the next fetch, even when the new link has the same version number', async () => {
    const { userId, token, accessToken } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    const first = (await h.deps.links.get(userId, 'gitlab'))!;
    expect((await env.credential(token, ask(), ORIGIN)).password).toBe(accessToken);
    await h.deps.links.delete(userId, 'gitlab');
    const minted = gl.mintToken('tanuki');
    const relinked = await seedLink(h, userId, 'gitlab', { ...minted, expiresAt: h.clock.now() + TWO_HOURS });
    expect(relinked.version).toBe(first.version); // a version-only cache key would serve the old token here
    expect((await env.credential(token, ask(), ORIGIN)).password).toBe(minted.accessToken);
  });

  test('a refresh (new version) is seen at once', async () => {
    const { userId, token, accessToken } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    expect((await env.credential(token, ask(), ORIGIN)).password).toBe(accessToken);
    // Two hours pass: the token is inside the refresh window.
    h.clock.offset = TWO_HOURS - 60_000;
    const refreshed = await env.credential(token, ask(), ORIGIN);
    expect(refreshed.password).not.toBe(accessToken);
    expect((await h.deps.links.get(userId, 'gitlab'))!.version).toBeGreaterThan(1);
  });
});

describe('the environment token is checked on every request (never cached)', () => {
  beforeEach(() => {
    h.clock.offset = 0;
  });

  test('revoked: 401 on the very next fetch, although the credential is cached', async () => {
    const { userId, token } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    await env.credential(token, ask(), ORIGIN);
    const [id] = (await env.tokens.listForUser(userId)).map((t) => t.tokenId);
    await env.tokens.delete(userId, id!);
    const err = await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(401);
    expect(codeOf(err)).toBe('unauthorized');
  });

  test('expired: 401 once its expiry passes (enforced on read, not by DynamoDB TTL)', async () => {
    const { token } = await linkedDeveloper();
    const env = new EnvService(h.deps);
    await env.credential(token, ask(), ORIGIN);
    h.clock.offset = 91 * 86_400_000; // the default lifetime is 90 days
    expect(((await env.credential(token, ask(), ORIGIN).catch((e: unknown) => e)) as AppError).status).toBe(401);
  });

  test('a wrong secret, or another user named in the token: 401', async () => {
    const a = await linkedDeveloper();
    const b = await linkedDeveloper();
    const env = new EnvService(h.deps);
    const wrongSecret = a.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    // b's userId with a's token id and secret: the record looked up is b's, which has no such token.
    const otherUser = a.token.replace(/^glk_[^_]+(?=_[A-Za-z0-9]{16}_)/, `glk_${Buffer.from(b.userId).toString('base64url')}`);
    for (const bad of [wrongSecret, otherUser, 'glk_x', '', undefined]) {
      expect(((await env.credential(bad, ask(), ORIGIN).catch((e: unknown) => e)) as AppError).status).toBe(401);
    }
  });

  test('an unknown host with a bad token is 401, not 404: strangers learn no host names', async () => {
    const env = new EnvService(h.deps);
    const err = await env.credential('glk_bad', { protocol: 'https', host: 'unknown.example' }, ORIGIN).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(401);
    await seedProvider(h, { id: 'secure', type: 'gitlab', baseUrl: 'https://gitlab.secure.test', clientId: 'c' });
    const plain = await env.credential('glk_bad', { protocol: 'http', host: 'gitlab.secure.test' }, ORIGIN).catch((e: unknown) => e);
    expect((plain as AppError).status).toBe(401);
    const { token } = await linkedDeveloper();
    const miss = await env.credential(token, { protocol: 'https', host: 'unknown.example' }, ORIGIN).catch((e: unknown) => e);
    expect(codeOf(miss)).toBe('no_provider');
  });

  test('lastUsedAt is recorded, at most once per 5 minutes', async () => {
    const { userId, token } = await linkedDeveloper();
    const lastUsed = async () => (await new EnvService(h.deps).tokens.listForUser(userId))[0]!.lastUsedAt;
    expect(await lastUsed()).toBeUndefined();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    const first = await lastUsed();
    expect(first).toBe(new Date(Date.parse(first!)).toISOString());
    // Fresh containers each time, so only the conditional write can hold the line.
    h.clock.offset = 60_000;
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(await lastUsed()).toBe(first);
    h.clock.offset = 6 * 60_000;
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(first!));
  });

  // A new container's first fetch: provider list + BatchGetItem (+ Decrypt), no write,
  // when the record just read shows a use within 5 minutes (another container's).
  test('a new container writes no lastUsedAt that the record it read shows as recent', async () => {
    const { token } = await linkedDeveloper();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    h.clock.offset = 4 * 60_000;
    reset();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(h.dynamoCalls).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    h.clock.offset = 6 * 60_000;
    reset();
    await new EnvService(h.deps).credential(token, ask(), ORIGIN);
    expect(h.dynamoCalls).toEqual(['QueryCommand', 'BatchGetItemCommand', 'UpdateItemCommand']);
  });
});

describe('providers without git over HTTPS', () => {
  test('bitbucket-server: 409 ssh_only', async () => {
    await seedProvider(h, { id: 'bbs', type: 'bitbucket-server', baseUrl: 'https://bitbucket.example.test', clientId: 'gitlink' });
    const { token } = await linkedDeveloper();
    const err = await new EnvService(h.deps)
      .credential(token, { protocol: 'https', host: 'bitbucket.example.test' }, ORIGIN)
      .catch((e: unknown) => e);
    expect((err as AppError).status).toBe(409);
    expect(codeOf(err)).toBe('ssh_only');
  });
});
