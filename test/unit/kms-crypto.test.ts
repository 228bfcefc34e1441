/**
 * The KMS adapter's GenerateDataKeyPairWithoutPlaintext request and its
 * DER-to-PEM handling. moto 5.2 lacks this operation, so this unit test stands
 * in for the over-the-wire case (which runs on LocalStack and real KMS).
 */
import { createPublicKey, createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyPairWithoutPlaintextCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsCrypto } from '@shared/crypto/aws-kms';
import { derToPem } from '@shared/crypto/port';

function fakeKms() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sent: unknown[] = [];
  const client = {
    send: async (cmd: unknown) => {
      sent.push(cmd);
      if (cmd instanceof GenerateDataKeyPairWithoutPlaintextCommand) {
        return {
          KeyId: 'signing',
          KeyPairSpec: 'RSA_2048',
          PublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
          PrivateKeyCiphertextBlob: new Uint8Array(Buffer.from('opaque-ciphertext')),
        };
      }
      if (cmd instanceof DecryptCommand) return { Plaintext: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })) };
      throw new Error('unexpected command');
    },
  } as unknown as KMSClient;
  return { client, sent, publicKey };
}

describe('KmsCrypto signing key pair', () => {
  test('asks for an RSA_2048 data key pair under the signing key, with the encryption context', async () => {
    const kms = fakeKms();
    const crypto = new KmsCrypto({ client: kms.client, tokenKeyId: 'token', signingKeyId: 'signing' });
    const pair = await crypto.generateSigningKeyPair({ purpose: 'bitbucket-signing', providerId: 'bbs' });
    const cmd = kms.sent[0] as GenerateDataKeyPairWithoutPlaintextCommand;
    expect(cmd).toBeInstanceOf(GenerateDataKeyPairWithoutPlaintextCommand);
    expect(cmd.input).toEqual({ KeyId: 'signing', KeyPairSpec: 'RSA_2048', EncryptionContext: { purpose: 'bitbucket-signing', providerId: 'bbs' } });
    expect(pair.privateKeyCiphertext).toBe(Buffer.from('opaque-ciphertext').toString('base64'));
    // The PEM is the same key KMS returned as DER.
    expect(createPublicKey(pair.publicKeyPem).export({ format: 'der', type: 'spki' })).toEqual(kms.publicKey.export({ format: 'der', type: 'spki' }));
  });

  test('decrypts the private key under the signing key (KeyId pinned, context passed) into a usable PKCS#8 PEM', async () => {
    const kms = fakeKms();
    const crypto = new KmsCrypto({ client: kms.client, tokenKeyId: 'token', signingKeyId: 'signing' });
    const pem = await crypto.decryptSigningKey(Buffer.from('opaque').toString('base64'), { purpose: 'bitbucket-signing', providerId: 'bbs' });
    const cmd = kms.sent[0] as DecryptCommand;
    expect(cmd.input.KeyId).toBe('signing');
    expect(cmd.input.EncryptionContext).toEqual({ purpose: 'bitbucket-signing', providerId: 'bbs' });
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const sig = createSign('RSA-SHA1').update('x').sign(pem);
    expect(createVerify('RSA-SHA1').update('x').verify(kms.publicKey, sig)).toBe(true);
  });
});

describe('derToPem (RFC 7468)', () => {
  test('wraps base64 at 64 characters between the labels', () => {
    const der = Buffer.alloc(100, 7);
    const pem = derToPem(der, 'PUBLIC KEY');
    const lines = pem.trim().split('\n');
    expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
    expect(lines.at(-1)).toBe('-----END PUBLIC KEY-----');
    expect(lines.slice(1, -1).every((l) => l.length <= 64)).toBe(true);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64')).toEqual(der);
  });
});
