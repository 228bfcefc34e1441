/**
 * The local dev identity issuer (DESIGN §6). Local mode only: it mints JWTs for
 * any username, so it must never run anywhere real.
 *
 * - `GET /dev/login`: sign-in page (username + admin box). With OIDC authorize
 *   parameters it is the authorization endpoint (code + PKCE S256) for the web UI;
 *   without them it shows a token to paste into curl.
 * - `POST /dev/token`: JSON `{"sub","admin"}` → `{"token"}` for scripts and tests, or the
 *   OIDC token endpoint (form, `grant_type=authorization_code`).
 * - `/dev/.well-known/openid-configuration`, `/dev/jwks.json`: discovery and keys.
 * - `GET /dev/logout`: the end-session endpoint; ends the sign-in session below.
 *
 * Like a real issuer (Cognito's hosted UI), a successful sign-in on the form starts a
 * session: an HttpOnly cookie holding a random id, mapped here, in memory, to the user
 * (never a JWT). An authorize request with a live session answers with a code at once,
 * unless it asks for a fresh sign-in (`prompt=login`, `max_age`).
 *
 * Tokens are checked by `verify`, exactly as the HTTP API JWT authorizer does:
 * signature against the JWKS, `iss`, `aud` (or `client_id`), `exp`, `nbf`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import * as z from 'zod';

export const DEV_AUDIENCE = 'gitlink-local';
export const DEV_CLIENT_ID = 'gitlink-local';
const ALG = 'ES256';
const TOKEN_TTL_S = 8 * 3600;
/** A sign-in session lasts as long as the tokens it hands out. */
export const SESSION_TTL_S = TOKEN_TTL_S;

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export function assertLocalMode(mode: string | undefined): void {
  if (mode !== 'local') {
    throw new Error('The dev identity issuer mints tokens for anyone and only runs with GITLINK_MODE=local.');
  }
}

async function loadOrCreateKey(dataDir: string): Promise<KeyFile> {
  const path = join(dataDir, 'dev-issuer-key.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomBytes(8).toString('hex');
  const file: KeyFile = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
  };
  try {
    writeFileSync(path, JSON.stringify(file), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
    throw e;
  }
  return file;
}

const username = z.string().regex(/^[A-Za-z0-9@._-]{1,64}$/, 'letters, digits and @._- only, at most 64');

export interface DevIssuer {
  issuer: string;
  audience: string;
  mint(sub: string, admin: boolean): Promise<string>;
  /** Verified claims, or `undefined` for any invalid token. */
  verify(token: string): Promise<JWTPayload | undefined>;
  discovery(): Record<string, unknown>;
  jwks(): { keys: JWK[] };
  /** One-time authorization codes for the UI's OIDC sign-in. */
  issueCode(p: { sub: string; admin: boolean; redirectUri: string; codeChallenge: string; clientId: string; nonce?: string }): string;
  redeemCode(p: { code: string; redirectUri: string; codeVerifier: string; clientId: string }): Promise<Record<string, unknown> | undefined>;
  /** Starts a sign-in session: a random id for the session cookie, and its lifetime. */
  startSession(sub: string, admin: boolean): { id: string; maxAgeS: number };
  /** The live session for a cookie value, or `undefined`. */
  session(id: string | undefined): DevSession | undefined;
  endSession(id: string | undefined): void;
}

export interface DevSession {
  sub: string;
  admin: boolean;
  /** When the user typed their name on the form (ms since the epoch): for `max_age`. */
  authTime: number;
}

export async function createDevIssuer(opts: {
  mode: string | undefined;
  origin: string;
  dataDir: string;
  adminGroupClaim: string;
  adminGroup: string;
}): Promise<DevIssuer> {
  assertLocalMode(opts.mode);
  const key = await loadOrCreateKey(opts.dataDir);
  const privateKey = await importJWK(key.privateJwk, ALG);
  const publicKey = await importJWK(key.publicJwk, ALG);
  const issuer = `${opts.origin}/dev`;
  const codes = new Map<string, { sub: string; admin: boolean; redirectUri: string; codeChallenge: string; clientId: string; nonce?: string; until: number }>();
  // Keyed by the SHA-256 of the cookie value, so this map holds nothing a browser could present.
  const sessions = new Map<string, DevSession & { until: number }>();
  const sessionKey = (id: string) => createHash('sha256').update(id).digest('base64url');

  const mint = async (sub: string, admin: boolean, extra: Record<string, unknown> = {}) => {
    username.parse(sub);
    return new SignJWT({
      ...extra,
      preferred_username: sub,
      client_id: DEV_CLIENT_ID,
      ...(admin ? { [opts.adminGroupClaim]: [opts.adminGroup] } : {}),
    })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(issuer)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_S}s`)
      .sign(privateKey);
  };

  return {
    issuer,
    audience: DEV_AUDIENCE,
    mint: (sub, admin) => mint(sub, admin),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: [ALG] });
        // API Gateway accepts the audience in `aud` or, for access tokens, `client_id`.
        const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
        if (!aud.includes(DEV_AUDIENCE) && payload.client_id !== DEV_AUDIENCE) return undefined;
        return payload;
      } catch {
        return undefined;
      }
    },
    discovery: () => ({
      issuer,
      authorization_endpoint: `${issuer}/login`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks.json`,
      end_session_endpoint: `${issuer}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [ALG],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['openid', 'profile'],
    }),
    jwks: () => ({ keys: [key.publicJwk] }),
    issueCode(p) {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { ...p, until: Date.now() + 60_000 });
      return code;
    },
    async redeemCode(p) {
      const entry = codes.get(p.code);
      codes.delete(p.code); // single use, as RFC 6749 §4.1.2 requires
      if (!entry || entry.until < Date.now()) return undefined;
      if (entry.redirectUri !== p.redirectUri || entry.clientId !== p.clientId) return undefined;
      // RFC 7636 §4.6: BASE64URL(SHA256(verifier)) must equal the challenge.
      const challenge = createHash('sha256').update(p.codeVerifier).digest('base64url');
      if (challenge !== entry.codeChallenge) return undefined;
      const accessToken = await mint(entry.sub, entry.admin);
      const idToken = await mint(entry.sub, entry.admin, {
        ...(entry.nonce ? { nonce: entry.nonce } : {}),
        aud: DEV_CLIENT_ID,
      });
      return { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S };
    },
    startSession(sub, admin) {
      username.parse(sub);
      const now = Date.now();
      for (const [k, v] of sessions) if (v.until < now) sessions.delete(k);
      const id = randomBytes(32).toString('base64url');
      sessions.set(sessionKey(id), { sub, admin, authTime: now, until: now + SESSION_TTL_S * 1000 });
      return { id, maxAgeS: SESSION_TTL_S };
    },
    session(id) {
      if (!id) return undefined;
      const entry = sessions.get(sessionKey(id));
      if (!entry) return undefined;
      if (entry.until < Date.now()) {
        sessions.delete(sessionKey(id));
        return undefined;
      }
      return { sub: entry.sub, admin: entry.admin, authTime: entry.authTime };
    },
    endSession(id) {
      if (id) sessions.delete(sessionKey(id));
    },
  };
}

export const devTokenRequest = z.object({ sub: username, admin: z.boolean().optional().default(false) });
