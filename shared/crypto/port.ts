/**
 * The crypto port (ARCHITECTURE.md §5). Two keys:
 * - the token key encrypts tokens, PKCE verifiers and SSH private keys, always
 *   under an encryption context, so a ciphertext moved to another item fails;
 * - the signing key wraps the Bitbucket Server RSA signing key pairs, which are
 *   KMS *data key pairs* because KMS `Sign` has no RSA-SHA1.
 */
export type EncryptionContext = Record<string, string>;

/**
 * The encryption-context `purpose` of every signing-key call
 * (`{purpose: bitbucket-signing, providerId}`, ARCHITECTURE.md §5). IAM conditions
 * kms:Decrypt on the signing key on it (infra/grants.ts), so both read it here.
 */
export const SIGNING_PURPOSE = 'bitbucket-signing';

export interface SigningKeyPair {
  /** SPKI, PEM: what the admin pastes into the Bitbucket Application Link. */
  publicKeyPem: string;
  /** The private key, encrypted under the signing key (base64). Only this is stored. */
  privateKeyCiphertext: string;
}

export interface Crypto {
  /** Returns base64 ciphertext. */
  encrypt(plaintext: string | Uint8Array, context: EncryptionContext): Promise<string>;
  /** Throws `DecryptFailed` if the ciphertext or the context does not match. */
  decrypt(ciphertext: string, context: EncryptionContext): Promise<Buffer>;
  /** RSA-2048 data key pair under the signing key. */
  generateSigningKeyPair(context: EncryptionContext): Promise<SigningKeyPair>;
  /** The private key as PKCS#8 PEM, for RSA-SHA1 signing in memory only. */
  decryptSigningKey(privateKeyCiphertext: string, context: EncryptionContext): Promise<string>;
}

export class DecryptFailed extends Error {
  constructor(message = 'ciphertext could not be decrypted under this key and context') {
    super(message);
    this.name = 'DecryptFailed';
  }
}

/** DER (SPKI or PKCS#8) to PEM, 64 characters a line (RFC 7468 §2). */
export function derToPem(der: Uint8Array, label: 'PUBLIC KEY' | 'PRIVATE KEY'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Canonical bytes of a context, for AES-GCM AAD: key order must not matter (as in KMS). */
export function canonicalContext(context: EncryptionContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}
