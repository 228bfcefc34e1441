/**
 * The signed-in user, from the claims the HTTP API JWT authorizer verified
 * (or the local server's identical check). The function never sees an
 * unverified token: it only reads `requestContext.authorizer.jwt.claims`.
 */
import { forbidden, unauthorized } from '../http/errors';

export interface User {
  id: string;
  admin: boolean;
  /** Display name, if the issuer provides one. */
  name?: string;
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * Group claims arrive in different shapes: a JSON array from a JWT verified
 * locally, but API Gateway HTTP APIs flatten array claims into the string
 * `"[a b c]"` (a documented quirk of the JWT authorizer). Accept all of them.
 */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).map((g) => g.replace(/^"|"$/g, '')).filter(Boolean);
}

/** userIds go into item keys and env tokens; keep them printable and bounded. */
const USER_ID = /^[A-Za-z0-9@._:+|-]{1,128}$/;

export function userFromClaims(
  claims: Claims | undefined,
  opts: { adminGroupClaim: string; adminGroup: string },
): User {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) throw unauthorized();
  const name = claims?.preferred_username ?? claims?.['cognito:username'] ?? claims?.email;
  return {
    id: sub,
    admin: groupsOf(claims?.[opts.adminGroupClaim]).includes(opts.adminGroup),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

export function requireAdmin(user: User): User {
  if (!user.admin) throw forbidden('Only gitlink admins can do this.');
  return user;
}
