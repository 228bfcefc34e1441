// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** OpenSSH public key parsing, shared by the fakes' key endpoints. */
import { createHash } from 'node:crypto';

const SSH_KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

export interface ParsedSshKey {
  type: string;
  /** `type base64`, without the comment: what identifies the key (both providers ignore the comment). */
  material: string;
  /** `SHA256:` + unpadded base64 of SHA-256 over the key blob, as `ssh-keygen -l` prints it. */
  fingerprintSha256: string;
}

/** Parses an OpenSSH public key line; null when it is not one (type must match the blob's own type). */
export function parseSshKey(line: string): ParsedSshKey | null {
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !b64 || !SSH_KEY_TYPES.has(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (blob.length < 4 + len || blob.subarray(4, 4 + len).toString('latin1') !== type) return null;
  const fingerprintSha256 = 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  return { type, material: `${type} ${b64}`, fingerprintSha256 };
}

