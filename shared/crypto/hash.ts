/**
 * The one way gitlink stores a value it must recognise but never reveal (state,
 * cookie nonce, environment-token secret): its SHA-256, compared in constant time.
 * A fast hash is enough: every such value carries at least 256 random bits.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const sha256hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant time: both sides are 32-byte digests, so neither length nor prefix leaks. */
export function hashMatches(presented: string | undefined, storedHash: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(sha256hex(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
