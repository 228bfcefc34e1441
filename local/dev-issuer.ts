/**
 * The local dev identity issuer (ARCHITECTURE.md §6). Local mode only: it mints JWTs for
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
 * Tokens are checked by `verify`, exactly as the HTTP API JWT authorizer does
 * ("Control access to HTTP APIs with JWT authorizers", API Gateway developer guide):
 * an RSA signature (the authorizer supports RSA-based algorithms only, hence RS256)
 * by the JWKS key the header's `kid` names, `iss`, `exp`, `nbf`, and the audience:
 * `aud` must contain it when `aud` is present; `client_id` is checked only when `aud`
 * is absent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import * as z from '@shared/zod';

export const DEV_AUDIENCE = 'gitlink-local';
export const DEV_CLIENT_ID = 'gitlink-local';
/** API Gateway's JWT authorizer accepts RSA-signed tokens only. */
export const DEV_ALG = 'RS256';
const ALG = DEV_ALG;
const TOKEN_TTL_S = 8 * 3600;
/** `${dataDir}/origin`: the running server's origin, for `npm run token` (the issuer is `${origin}/dev`). */
export const ORIGIN_FILE = 'origin';
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

/**
 * The local server and `npm run token` run on a developer's machine only. Refuses an
 * environment that says otherwise: a `GITLINK_MODE` other than `local` (the local server
 * sets it to `local` itself, so it must not overwrite another value), or a Lambda runtime.
 */
export function assertLocalProcess(env: NodeJS.ProcessEnv = process.env): void {
  const mode = env.GITLINK_MODE;
  if (mode !== undefined && mode !== '' && mode !== 'local') {
    throw new Error(`GITLINK_MODE is set to "${mode}": the local server (and its dev identity issuer, which mints tokens for anyone) only runs in local mode. Unset GITLINK_MODE or set it to "local".`);
  }
  for (const name of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV'] as const) {
    if (env[name]) {
      throw new Error(`${name} is set: this looks like AWS Lambda, where the local server and its dev identity issuer must never run.`);
    }
  }
}

/** A key file is usable if it holds an RSA key pair for ALG; older files (ES256) are replaced. */
function usable(file: unknown): file is KeyFile {
  const f = file as Partial<KeyFile> | null;
  return (
    !!f &&
    typeof f.kid === 'string' &&
    f.privateJwk?.alg === ALG &&
    f.privateJwk.kty === 'RSA' &&
    f.publicJwk?.alg === ALG &&
    f.publicJwk.kty === 'RSA' &&
    f.publicJwk.kid === f.kid
  );
}

function readKeyFile(path: string): { file?: KeyFile; exists: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw e;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return usable(parsed) ? { file: parsed, exists: true } : { exists: true };
  } catch {
    return { exists: true }; // unreadable: replaced like a key of another algorithm
  }
}

async function loadOrCreateKey(dataDir: string): Promise<KeyFile> {
  const path = join(dataDir, 'dev-issuer-key.json');
  const current = readKeyFile(path);
  if (current.file) return current.file;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A key of another algorithm (ES256 from earlier versions) cannot sign what API Gateway accepts.
  if (current.exists) {
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const file: KeyFile = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
  };
  // Written whole under a temporary name, then linked into place: a concurrent reader
  // (the server and `npm run token` starting together) never sees a half-written file,
  // and exactly one writer wins.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return file;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const winner = readKeyFile(path).file;
    if (!winner) throw new Error(`${path} was replaced by a key gitlink cannot use; delete it and start again.`);
    return winner;
  } finally {
    unlinkSync(tmp);
  }
}

const username = z.string().check(z.regex(/^[A-Za-z0-9@._-]{1,64}$/, 'letters, digits and @._- only, at most 64'));

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
        const { payload, protectedHeader } = await jwtVerify(token, publicKey, { issuer, algorithms: [ALG], requiredClaims: ['exp'] });
        // The header's `kid` must name the JWKS key that signed the token.
        if (protectedHeader.kid !== key.kid) return undefined;
        // API Gateway checks `aud` when it is present, and `client_id` only when `aud` is absent.
        if (payload.aud !== undefined) {
          const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
          if (!aud.includes(DEV_AUDIENCE)) return undefined;
        } else if (payload.client_id !== DEV_AUDIENCE) {
          return undefined;
        }
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

export const devTokenRequest = z.object({ sub: username, admin: z._default(z.optional(z.boolean()), false) });
