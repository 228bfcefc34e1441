/**
 * The identities of the authorization matrix: genuine JWTs from the local dev issuer,
 * forged or broken ones (the attacks API Gateway's JWT authorizer must refuse), and
 * environment tokens in every state. Forgeries are built by hand here, not by the code
 * under test, so a verifier that accepts them fails the matrix.
 */
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { keys } from '@shared/store/schema';
import type { LocalStack } from '../../../local/app';

export const identities = [
  'anonymous',
  'expiredJwt',
  'otherKeyJwt',
  'algNoneJwt',
  'hs256PublicKeyJwt',
  'wrongAudienceJwt',
  'developer',
  'otherDeveloper',
  'admin',
  'envToken',
  'envTokenRevoked',
  'envTokenExpired',
  'envTokenOtherUser',
] as const;
export type Identity = (typeof identities)[number];

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token the dev issuer would mint for `sub`, with `overrides` applied to its claims. */
export function claimsFor(stack: LocalStack, sub: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    preferred_username: sub,
    client_id: 'gitlink-local',
    iss: stack.issuer.issuer,
    aud: stack.issuer.audience,
    iat: now,
    exp: now + 3600,
    ...overrides,
  };
}

export function readIssuerKey(dataDir: string): KeyFile {
  return JSON.parse(readFileSync(join(dataDir, 'dev-issuer-key.json'), 'utf8')) as KeyFile;
}

async function signRs256(privateJwk: JWK, kid: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(await importJWK(privateJwk, 'RS256'));
}

/** The forged and broken JWTs, all naming the developer `sub`. */
export async function badJwts(stack: LocalStack, dataDir: string, sub: string) {
  const key = readIssuerKey(dataDir);
  const claims = claimsFor(stack, sub);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherJwk = other.privateKey.export({ format: 'jwk' }) as JWK;
  // RFC 8725 §2.1: `alg: none` carries no signature at all.
  const algNone = `${b64url({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64url(claims)}.`;
  // RFC 8725 §2.1 key confusion: HMAC keyed with the RSA public key's PEM, which is public.
  const pem = createPublicKey({ key: key.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hsInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`;
  const hs256 = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`;
  const now = Math.floor(Date.now() / 1000);
  return {
    expiredJwt: await signRs256(key.privateJwk, key.kid, { ...claims, iat: now - 7200, exp: now - 3600 }),
    // Same kid, another key: only the signature check can tell.
    otherKeyJwt: await signRs256(otherJwk, key.kid, claims),
    algNoneJwt: algNone,
    hs256PublicKeyJwt: hs256,
    wrongAudienceJwt: await signRs256(key.privateJwk, key.kid, { ...claims, aud: 'another-app' }),
  };
}

/** `glk_<base64url(userId)>_<tokenId>_<secret>` (README "Token format"), split into parts. */
export function envTokenParts(token: string) {
  const m = /^glk_([A-Za-z0-9_-]+)_([A-Za-z0-9]{16})_([A-Za-z0-9]{43})$/.exec(token);
  if (!m) throw new Error(`not an environment token: ${token.slice(0, 4)}…`);
  return { user: m[1]!, tokenId: m[2]!, secret: m[3]! };
}

/** Makes a live token expired in the table (`ttl` in the past), as time passing would. */
export async function expireEnvToken(stack: LocalStack, userId: string, token: string): Promise<void> {
  const { tokenId } = envTokenParts(token);
  const key = keys.envToken(userId, tokenId);
  const item = await stack.table.get(key);
  if (!item) throw new Error('token not found');
  const past = Math.floor(Date.now() / 1000) - 60;
  await stack.table.put({ ...item, ...key, ttl: past, expiresAt: new Date(past * 1000).toISOString() });
}

/** Another user's token id and secret under this user's name: must never authenticate as either. */
export function spliceEnvToken(victim: string, attacker: string): string {
  const v = envTokenParts(victim);
  const a = envTokenParts(attacker);
  return `glk_${v.user}_${a.tokenId}_${a.secret}`;
}
