/**
 * Environment tokens (ARCHITECTURE.md §3 "Credential fetch" step 3):
 *
 *   glk_<base64url(userId)>_<tokenId>_<secret>
 *
 * `tokenId` and `secret` are base62, an alphabet without `_`, so the token
 * parses from the right even though base64url may itself contain `_`. Only
 * sha256(secret) is stored. A plain SHA-256 (not a slow password hash) is
 * enough because the secret is 256 bits of randomness, not something a human chose.
 */
import { randomInt } from 'node:crypto';

export const ENV_TOKEN_PREFIX = 'glk_';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 16 base62 characters ≈ 95 bits: unique per user without coordination. */
export const TOKEN_ID_LENGTH = 16;
/** 43 base62 characters ≈ 256 bits. */
export const SECRET_LENGTH = 43;
const TOKEN_ID = new RegExp(`^[A-Za-z0-9]{${TOKEN_ID_LENGTH}}$`);
const SECRET = new RegExp(`^[A-Za-z0-9]{${SECRET_LENGTH}}$`);
/** Same rule as shared/auth/user.ts: userIds go into item keys, keep them printable and bounded. */
const USER_ID = /^[A-Za-z0-9@._:+|-]{1,128}$/;
const MAX_TOKEN_LENGTH = 512;

export interface EnvTokenParts {
  userId: string;
  tokenId: string;
  secret: string;
}

/** Uniform over the alphabet: `randomInt` rejects biased draws itself. */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

export const newTokenId = () => randomBase62(TOKEN_ID_LENGTH);
export const newSecret = () => randomBase62(SECRET_LENGTH);

export function formatEnvToken(p: EnvTokenParts): string {
  return `${ENV_TOKEN_PREFIX}${Buffer.from(p.userId, 'utf8').toString('base64url')}_${p.tokenId}_${p.secret}`;
}

/**
 * Splits at the last two `_`: tokenId and secret never contain one, the
 * base64url userId may. (Today's userId alphabet happens to encode without
 * `_`; the format must not depend on that.)
 */
export function splitEnvToken(token: string): { user64: string; tokenId: string; secret: string } | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(ENV_TOKEN_PREFIX)) return undefined;
  const rest = token.slice(ENV_TOKEN_PREFIX.length);
  const s = rest.lastIndexOf('_');
  const t = s > 0 ? rest.lastIndexOf('_', s - 1) : -1;
  if (t <= 0) return undefined;
  const parts = { user64: rest.slice(0, t), tokenId: rest.slice(t + 1, s), secret: rest.slice(s + 1) };
  if (!TOKEN_ID.test(parts.tokenId) || !SECRET.test(parts.secret) || !/^[A-Za-z0-9_-]+$/.test(parts.user64)) return undefined;
  return parts;
}

/** Anything malformed is `undefined` (the caller answers 401, never why). */
export function parseEnvToken(token: string | undefined): EnvTokenParts | undefined {
  const parts = token ? splitEnvToken(token) : undefined;
  if (!parts) return undefined;
  const raw = Buffer.from(parts.user64, 'base64url');
  // Node's decoder is lenient; only the canonical encoding names a user.
  if (raw.toString('base64url') !== parts.user64) return undefined;
  const userId = raw.toString('utf8');
  if (!USER_ID.test(userId)) return undefined;
  return { userId, tokenId: parts.tokenId, secret: parts.secret };
}

/** Only the secret's SHA-256 is stored (shared/crypto/hash.ts). */
export { sha256hex as hashSecret, hashMatches as secretMatches } from '../crypto/hash';

/** `Authorization: Bearer <token>` (RFC 6750 §2.1). */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
