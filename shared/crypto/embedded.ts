/**
 * Crypto for `npm start`: a key file under the data dir (0600) holding two
 * random AES-256 keys, one per role. AES-256-GCM with the canonical encryption
 * context as AAD gives the same property KMS does: a ciphertext only decrypts
 * under the context it was made with.
 */
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalContext, DecryptFailed, derToPem, type Crypto, type EncryptionContext, type SigningKeyPair } from './port';

const VERSION = 1;

interface KeyFile {
  tokenKey: string;
  signingKey: string;
}

export interface EmbeddedCryptoOptions {
  /** Directory holding `keys.json`; created if missing. */
  dataDir: string;
}

export function loadOrCreateKeyFile(dataDir: string): KeyFile {
  const path = join(dataDir, 'keys.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keys: KeyFile = { tokenKey: randomBytes(32).toString('base64'), signingKey: randomBytes(32).toString('base64') };
  // 'wx' so two processes starting at once cannot overwrite each other's key.
  try {
    writeFileSync(path, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
    throw e;
  }
  return keys;
}

export class EmbeddedCrypto implements Crypto {
  private readonly tokenKey: Buffer;
  private readonly signingKey: Buffer;

  constructor(opts: EmbeddedCryptoOptions) {
    const file = loadOrCreateKeyFile(opts.dataDir);
    this.tokenKey = Buffer.from(file.tokenKey, 'base64');
    this.signingKey = Buffer.from(file.signingKey, 'base64');
  }

  async encrypt(plaintext: string | Uint8Array, context: EncryptionContext): Promise<string> {
    return seal(this.tokenKey, typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext), context);
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<Buffer> {
    return open(this.tokenKey, ciphertext, context);
  }

  async generateSigningKeyPair(context: EncryptionContext): Promise<SigningKeyPair> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateDer = privateKey.export({ format: 'der', type: 'pkcs8' });
    return {
      publicKeyPem: derToPem(publicKey.export({ format: 'der', type: 'spki' }), 'PUBLIC KEY'),
      privateKeyCiphertext: seal(this.signingKey, privateDer, context),
    };
  }

  async decryptSigningKey(privateKeyCiphertext: string, context: EncryptionContext): Promise<string> {
    return derToPem(open(this.signingKey, privateKeyCiphertext, context), 'PRIVATE KEY');
  }
}

/** version(1) | iv(12) | tag(16) | ciphertext, base64. */
function seal(key: Buffer, plaintext: Buffer, context: EncryptionContext): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(canonicalContext(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, ciphertext: string, context: EncryptionContext): Buffer {
  const raw = Buffer.from(ciphertext, 'base64');
  if (raw.length < 29 || raw[0] !== VERSION) throw new DecryptFailed();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 13));
    decipher.setAAD(canonicalContext(context));
    decipher.setAuthTag(raw.subarray(13, 29));
    return Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]);
  } catch {
    throw new DecryptFailed();
  }
}
