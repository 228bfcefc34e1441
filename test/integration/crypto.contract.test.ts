/**
 * Crypto contract: the embedded key file and KMS over the wire (moto_server,
 * and AWS_ENDPOINT_URL if given) keep the same promises.
 */
import { createSign, createVerify, createPublicKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsCrypto } from '@shared/crypto/aws-kms';
import { EmbeddedCrypto } from '@shared/crypto/embedded';
import { DecryptFailed, type Crypto } from '@shared/crypto/port';
import { awsTargets, credentials, region, reportSkipped } from '../support/targets';

interface Target {
  name: string;
  make(): Promise<Crypto>;
  /** Why the data-key-pair case cannot run here, if it cannot. */
  noKeyPair?: string;
}

const { run, skipped } = awsTargets();
const targets: Target[] = [
  { name: 'embedded key file', make: async () => new EmbeddedCrypto({ dataDir: mkdtempSync(join(tmpdir(), 'gitlink-crypto-')) }) },
  ...run.map((t) => ({
    name: `KMS on ${t.name}`,
    make: async () => {
      const client = new KMSClient({ endpoint: t.endpoint, region, credentials });
      const token = await client.send(new CreateKeyCommand({ Description: 'gitlink test token key' }));
      const signing = await client.send(new CreateKeyCommand({ Description: 'gitlink test signing key' }));
      return new KmsCrypto({ client, tokenKeyId: token.KeyMetadata!.KeyId!, signingKeyId: signing.KeyMetadata!.KeyId! });
    },
    ...(t.name === 'moto_server' && process.env.MOTO_HAS_DATA_KEY_PAIR !== '1'
      ? { noKeyPair: 'moto 5.2 lacks GenerateDataKeyPairWithoutPlaintext; test/unit/kms-crypto.test.ts checks the request' }
      : {}),
  })),
];

const ctx = { app: 'gitlink', userId: 'alice', providerId: 'github', field: 'accessToken' };

describe('crypto contract', () => {
  reportSkipped(skipped);

  describe.each(targets)('$name', (target) => {
    let crypto: Crypto;
    beforeAll(async () => {
      crypto = await target.make();
    });

    test('encrypt then decrypt with the same context round-trips', async () => {
      const ct = await crypto.encrypt('gho_secret-token', ctx);
      expect(ct).not.toContain('gho_secret-token');
      expect((await crypto.decrypt(ct, ctx)).toString()).toBe('gho_secret-token');
    });

    test('the order of context keys does not matter', async () => {
      const ct = await crypto.encrypt('x', ctx);
      const reordered = { field: ctx.field, providerId: ctx.providerId, userId: ctx.userId, app: ctx.app };
      expect((await crypto.decrypt(ct, reordered)).toString()).toBe('x');
    });

    describe('a ciphertext decrypted with a different context fails', () => {
      test.each([
        ['another user', { ...ctx, userId: 'mallory' }],
        ['another provider', { ...ctx, providerId: 'gitlab' }],
        ['another field', { ...ctx, field: 'refreshToken' }],
        ['a missing key', { app: 'gitlink', userId: 'alice', providerId: 'github' }],
      ])('%s', async (_name, other) => {
        const ct = await crypto.encrypt('secret', ctx);
        await expect(crypto.decrypt(ct, other)).rejects.toBeInstanceOf(DecryptFailed);
      });
    });

    test('a tampered ciphertext fails', async () => {
      const ct = Buffer.from(await crypto.encrypt('secret', ctx), 'base64');
      ct[ct.length - 1] = ct[ct.length - 1]! ^ 1;
      await expect(crypto.decrypt(ct.toString('base64'), ctx)).rejects.toBeInstanceOf(DecryptFailed);
    });

    const keyPairTest = target.noKeyPair ? test.skip : test;
    keyPairTest(
      `signing key pair: RSA-2048, private key only as ciphertext, bound to its context${target.noKeyPair ? ` [skipped: ${target.noKeyPair}]` : ''}`,
      async () => {
        const signingCtx = { purpose: 'bitbucket-signing', providerId: 'bbs' };
        const pair = await crypto.generateSigningKeyPair(signingCtx);
        expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
        expect(createPublicKey(pair.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
        expect(pair.privateKeyCiphertext).not.toMatch(/PRIVATE KEY/);
        const pem = await crypto.decryptSigningKey(pair.privateKeyCiphertext, signingCtx);
        const sig = createSign('RSA-SHA1').update('base string').sign(pem, 'base64');
        expect(createVerify('RSA-SHA1').update('base string').verify(pair.publicKeyPem, sig, 'base64')).toBe(true);
        await expect(crypto.decryptSigningKey(pair.privateKeyCiphertext, { ...signingCtx, providerId: 'other' })).rejects.toBeInstanceOf(DecryptFailed);
        // A signing key ciphertext is not a token ciphertext.
        await expect(crypto.decrypt(pair.privateKeyCiphertext, signingCtx)).rejects.toBeInstanceOf(DecryptFailed);
      },
    );
  });
});
