/**
 * Crypto over AWS KMS (SDK v3). The endpoint follows `AWS_ENDPOINT_URL`
 * (LocalStack, moto) unless one is passed in.
 */
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  InvalidCiphertextException,
  KMSClient,
} from '@aws-sdk/client-kms';
import { awsClientConfig } from '../aws/policy';
import { DecryptFailed, derToPem, type Crypto, type EncryptionContext, type SigningKeyPair } from './port';

export interface KmsCryptoOptions {
  tokenKeyId: string;
  signingKeyId: string;
  client?: KMSClient;
  endpoint?: string;
  region?: string;
  /** One attempt's timeout (shared/aws/policy.ts); default none. */
  requestTimeoutMs?: number;
}

export class KmsCrypto implements Crypto {
  private readonly kms: KMSClient;
  constructor(private readonly opts: KmsCryptoOptions) {
    this.kms =
      opts.client ??
      new KMSClient({
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        ...awsClientConfig(opts.requestTimeoutMs),
      });
  }

  async encrypt(plaintext: string | Uint8Array, context: EncryptionContext): Promise<string> {
    const out = await this.kms.send(
      new EncryptCommand({
        KeyId: this.opts.tokenKeyId,
        Plaintext: typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext,
        EncryptionContext: context,
      }),
    );
    return Buffer.from(out.CiphertextBlob!).toString('base64');
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<Buffer> {
    return this.decryptUnder(this.opts.tokenKeyId, ciphertext, context);
  }

  async generateSigningKeyPair(context: EncryptionContext): Promise<SigningKeyPair> {
    const out = await this.kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({
        KeyId: this.opts.signingKeyId,
        KeyPairSpec: 'RSA_2048',
        EncryptionContext: context,
      }),
    );
    if (!out.PublicKey || !out.PrivateKeyCiphertextBlob) throw new Error('KMS returned no key pair');
    return {
      publicKeyPem: derToPem(out.PublicKey, 'PUBLIC KEY'),
      privateKeyCiphertext: Buffer.from(out.PrivateKeyCiphertextBlob).toString('base64'),
    };
  }

  async decryptSigningKey(privateKeyCiphertext: string, context: EncryptionContext): Promise<string> {
    const der = await this.decryptUnder(this.opts.signingKeyId, privateKeyCiphertext, context);
    return derToPem(der, 'PRIVATE KEY');
  }

  /** KeyId is pinned on Decrypt so a ciphertext from another key is refused (AWS best practice). */
  private async decryptUnder(keyId: string, ciphertext: string, context: EncryptionContext): Promise<Buffer> {
    try {
      const out = await this.kms.send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(ciphertext, 'base64'), EncryptionContext: context }),
      );
      return Buffer.from(out.Plaintext!);
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (e instanceof InvalidCiphertextException || name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
        throw new DecryptFailed();
      }
      throw e;
    }
  }
}
