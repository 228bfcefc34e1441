/**
 * Ciphertext binding (issue 10 "Whole-system guarantees", docs/ARCHITECTURE.md §5): every
 * token is encrypted under `{app, userId, providerId, field}`, so a ciphertext copied into
 * another user's or another provider's link item does not decrypt. The credential route
 * answers `409 relink_required` and marks the link; it never serves the moved token.
 * Against the embedded crypto and KMS over the wire (moto_server).
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsCrypto } from '@shared/crypto/aws-kms';
import type { Crypto } from '@shared/crypto/port';
import { AppError } from '@shared/errors';
import { EnvService } from '@shared/env/service';
import { linkKey } from '@shared/store/links';
import { keys } from '@shared/store/schema';
import { seedEnvToken, seedLink, seedProvider, startHarness, type Harness } from '../support/env';
import { awsTargets, credentials, region, reportSkipped } from '../support/targets';

const { run, skipped } = awsTargets();
const targets: Array<{ name: string; crypto?: () => Promise<Crypto> }> = [
  { name: 'embedded crypto' },
  ...run.map((t) => ({
    name: `KMS on ${t.name}`,
    crypto: async () => {
      const client = new KMSClient({ endpoint: t.endpoint, region, credentials });
      const key = await client.send(new CreateKeyCommand({ Description: 'gitlink binding test token key' }));
      return new KmsCrypto({ client, tokenKeyId: key.KeyMetadata!.KeyId!, signingKeyId: key.KeyMetadata!.KeyId! });
    },
  })),
];

// No provider call may happen: these ports answer nothing.
const GITLAB = { id: 'gitlab', type: 'gitlab' as const, baseUrl: 'http://127.0.0.1:9', clientId: 'c' };
const OTHER = { id: 'gitlab-two', type: 'gitlab' as const, baseUrl: 'http://localhost:9', clientId: 'c' };
const ORIGIN = 'https://gitlink.example';
const ALICE_TOKEN = 'glpat-alice-only-0123456789abcdef';
const ALICE_REFRESH = 'alice-refresh-0123456789abcdef';

describe.each(targets)('a moved token ciphertext is refused, never served ($name)', ({ crypto }) => {
  let h: Harness;
  let env: EnvService;
  let aliceEnv: string;
  let bobEnv: string;

  beforeAll(async () => {
    h = await startHarness({ secrets: { gitlab: 's', 'gitlab-two': 's' } });
    if (crypto) h.deps.crypto = await crypto();
    await seedProvider(h, GITLAB);
    await seedProvider(h, OTHER);
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await seedLinks();
    // A fresh service per case: its per-container cache must not hold a token from before the move.
    env = new EnvService(h.deps, { refresh: { attempts: 1, budgetMs: 1_000 } });
    aliceEnv = await seedEnvToken(h, 'alice');
    bobEnv = await seedEnvToken(h, 'bob');
  });

  async function seedLinks(expiresAt?: number) {
    for (const [user, provider] of [['alice', 'gitlab'], ['bob', 'gitlab'], ['alice', 'gitlab-two']] as const) {
      await h.deps.links.delete(user, provider);
      await seedLink(h, user, provider, {
        accessToken: user === 'alice' && provider === 'gitlab' ? ALICE_TOKEN : `${user}-${provider}-token-0123456789`,
        refreshToken: user === 'alice' && provider === 'gitlab' ? ALICE_REFRESH : `${user}-${provider}-refresh-0123456789`,
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      });
    }
  }

  /** Copies one field of alice's gitlab link into another link item, as an attacker with table access would. */
  async function move(field: 'accessTokenCt' | 'refreshTokenCt', to: { user: string; provider: string }) {
    const from = (await h.deps.table.get(linkKey('alice', 'gitlab')))!;
    const target = (await h.deps.table.get(linkKey(to.user, to.provider)))!;
    await h.deps.table.put({ ...target, [field]: from[field] });
  }

  async function refused(token: string, host: string) {
    let answer: unknown;
    try {
      answer = await env.credential(token, { protocol: 'http', host }, ORIGIN);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect({ status: (e as AppError).status, code: (e as AppError).code }).toEqual({ status: 409, code: 'relink_required' });
      expect(JSON.stringify(e)).not.toContain(ALICE_TOKEN);
      return;
    }
    throw new Error(`served a moved ciphertext: ${JSON.stringify(answer).includes(ALICE_TOKEN) ? "alice's token" : 'a token'}`);
  }

  test('the genuine links answer their own tokens (the control)', async () => {
    expect((await env.credential(aliceEnv, { protocol: 'http', host: '127.0.0.1:9' }, ORIGIN)).password).toBe(ALICE_TOKEN);
    expect((await env.credential(bobEnv, { protocol: 'http', host: '127.0.0.1:9' }, ORIGIN)).password).toBe('bob-gitlab-token-0123456789');
  });

  test("alice's access token moved into bob's link: refused, and bob's link is marked for relinking", async () => {
    await move('accessTokenCt', { user: 'bob', provider: 'gitlab' });
    await refused(bobEnv, '127.0.0.1:9');
    const bob = await h.deps.links.get('bob', 'gitlab');
    expect({ needsRelink: bob?.needsRelink, reason: bob?.relinkReason }).toEqual({ needsRelink: true, reason: 'token_unreadable' });
    // And it stays refused: a marked link is never decrypted again.
    await refused(bobEnv, '127.0.0.1:9');
  });

  test("alice's access token moved into her link to another provider: refused", async () => {
    await move('accessTokenCt', { user: 'alice', provider: 'gitlab-two' });
    await refused(aliceEnv, 'localhost:9');
  });

  test("alice's SSH private key moved into bob's key item: 409 ssh_key_unreadable, never a 500 nor her key", async () => {
    const alice = await env.sshKey(aliceEnv, { hostsOnly: false });
    await env.sshKey(bobEnv, { hostsOnly: false });
    const bobKey = (await h.deps.table.get(keys.sshKey('bob')))!;
    await h.deps.table.put({ ...bobKey, privateKeyCt: (await h.deps.table.get(keys.sshKey('alice')))!.privateKeyCt });
    const e = await env.sshKey(bobEnv, { hostsOnly: false }).then(
      (a) => { throw new Error(`served a moved key${a.privateKey === alice.privateKey ? " (alice's)" : ''}`); },
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(AppError);
    expect({ status: (e as AppError).status, code: (e as AppError).code }).toEqual({ status: 409, code: 'ssh_key_unreadable' });
    expect(JSON.stringify(e)).not.toContain(alice.privateKey!);
    await h.deps.table.put(bobKey);
  });

  test("alice's refresh token moved into bob's expiring link: refused before any provider call", async () => {
    await seedLinks(h.clock.now() + 30_000);
    await move('refreshTokenCt', { user: 'bob', provider: 'gitlab' });
    await refused(bobEnv, '127.0.0.1:9');
    expect((await h.deps.links.get('bob', 'gitlab'))?.relinkReason).toBe('token_unreadable');
  });
});

reportSkipped(skipped);
