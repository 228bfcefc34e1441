/**
 * The signed-in user, from the claims the HTTP API JWT authorizer verified
 * (or the local server's identical check). The function never sees an
 * unverified token: it only reads `requestContext.authorizer.jwt.claims`.
 */
import { forbidden, unauthorized } from '../errors';

export interface User {
  id: string;
  admin: boolean;
  /** Display name, if the issuer provides one. */
  name?: string;
}

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * The groups of a claim, in the two shapes a verified claim can take, and no other:
 * - an array of strings (a JWT read as JSON); non-string elements are dropped;
 * - API Gateway's flattened form of an array claim, `[g1 g2 …]`: the HTTP API JWT
 *   authorizer passes claims as strings and joins arrays with single spaces
 *   (local/apigw.ts does the same). Entries are split on single spaces only.
 * Nothing is trimmed, unquoted or split on commas: `x,gitlink-admins`,
 * `"gitlink-admins"` or a bare string are one group name each (or none), never
 * the admin group. The flattened form cannot tell a group named `a b` from the
 * groups `a` and `b`: issuers must not allow whitespace in group names
 * (Cognito does not; README "Who is an admin").
 */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value !== 'string' || !value.startsWith('[') || !value.endsWith(']')) return [];
  return value.slice(1, -1).split(' ');
}

/** userIds go into item keys and env tokens; keep them printable and bounded. */
export const USER_ID = /^[A-Za-z0-9@._:+|-]{1,128}$/;

export function userFromClaims(
  claims: Claims | undefined,
  opts: { adminGroupClaim: string; adminGroup: string },
): User {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !USER_ID.test(sub)) throw unauthorized();
  const name = claims?.preferred_username ?? claims?.['cognito:username'] ?? claims?.email;
  return {
    id: sub,
    admin: opts.adminGroup !== '' && groupsOf(claims?.[opts.adminGroupClaim]).includes(opts.adminGroup),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

export function requireAdmin(user: User): User {
  if (!user.admin) throw forbidden('Only gitlink admins can do this.');
  return user;
}
