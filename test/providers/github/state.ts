// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** The fake GitHub's in-memory world: users, authorization codes, grants, tokens, SSH keys. */
import { randomAlnum, type Behavior, type RecordedRequest } from '../common';

export interface GitHubUser {
  login: string;
  id: number;
  name: string;
  email: string | null;
}

export interface GitHubToken {
  value: string;
  kind: 'access' | 'refresh';
  login: string;
  clientId: string;
  grantId: string;
  /** Scopes the API checks (for GitHub App tokens: the app's permissions, see `githubAppScopes`). */
  scopes: string[];
  createdAt: number;
  /** Epoch ms; null = never expires (OAuth app tokens). */
  expiresAt: number | null;
  revoked: boolean;
  /** The access token issued together with a refresh token (and vice versa). */
  pair: string | null;
}

/** One authorization of an OAuth app by one user (GitHub: "grant"). */
export interface GitHubGrant {
  id: string;
  clientId: string;
  login: string;
  scopes: string[];
  tokens: Set<string>;
}

export interface GitHubKey {
  id: number;
  /** As GitHub answers it: `type base64`, comment stripped. */
  key: string;
  title: string;
  login: string;
  createdAt: string;
  /** Grant whose token created the key; revoking that grant deletes the key. */
  grantId: string | null;
}

export interface AuthCode {
  code: string;
  clientId: string;
  /** The redirect_uri sent to /authorize, if any: then the exchange must send the same one. */
  redirectUri: string | null;
  login: string;
  scopes: string[];
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

export interface GitHubWorld {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Registered callback URL, when the test registers one. */
  callbackUrl: string | null;
  tokenExpiry: boolean;
  mode: 'auto' | 'page';
  users: Map<string, GitHubUser>;
  codes: Map<string, AuthCode>;
  grants: Map<string, GitHubGrant>;
  tokens: Map<string, GitHubToken>;
  keys: Map<number, GitHubKey>;
  behavior: Behavior;
  requests: RecordedRequest[];
  nextKeyId: number;
  nextUserId: number;
}

/** A GitHub App user token carries no OAuth scopes; the fake grants it these permissions. */
export const githubAppScopes = ['repo', 'admin:public_key', 'read:user'];

/** Scope implications from "Scopes for OAuth apps": admin:public_key ⊃ write:public_key ⊃ read:public_key, user ⊃ read:user. */
const IMPLIES: Record<string, string[]> = {
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  user: ['read:user', 'user:email', 'user:follow'],
};

export function hasAnyScope(granted: string[], accepted: string[]): boolean {
  const all = new Set(granted.flatMap((s) => [s, ...(IMPLIES[s] ?? [])]));
  return accepted.some((s) => all.has(s));
}

export function ensureUser(w: GitHubWorld, login: string, id?: number): GitHubUser {
  const existing = w.users.get(login);
  if (existing && id === undefined) return existing;
  const user: GitHubUser = { login, id: id ?? w.nextUserId++, name: login, email: `${login}@users.noreply.example` };
  w.users.set(login, user);
  return user;
}

/** Issues an access token (and, for GitHub App expiring tokens, a refresh token) under the user's grant. */
export function issueTokens(w: GitHubWorld, clientId: string, login: string, scopes: string[]) {
  let grant = [...w.grants.values()].find((g) => g.clientId === clientId && g.login === login);
  if (!grant) {
    grant = { id: `grant-${randomAlnum(12)}`, clientId, login, scopes, tokens: new Set() };
    w.grants.set(grant.id, grant);
  }
  grant.scopes = [...new Set([...grant.scopes, ...scopes])];
  const now = Date.now();
  const apiScopes = w.tokenExpiry ? githubAppScopes : scopes;
  // Token formats: OAuth app tokens start gho_, GitHub App user tokens ghu_, refresh tokens ghr_
  // (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
  const access: GitHubToken = {
    value: (w.tokenExpiry ? 'ghu_' : 'gho_') + randomAlnum(36),
    kind: 'access', login, clientId, grantId: grant.id, scopes: apiScopes, createdAt: now,
    expiresAt: w.tokenExpiry ? now + w.behavior.accessTokenTtlSeconds * 1000 : null,
    revoked: false, pair: null,
  };
  w.tokens.set(access.value, access);
  grant.tokens.add(access.value);
  if (!w.tokenExpiry) return { access, refresh: null, grant };
  const refresh: GitHubToken = {
    ...access, value: 'ghr_' + randomAlnum(76), kind: 'refresh',
    expiresAt: now + REFRESH_TOKEN_TTL_SECONDS * 1000, pair: access.value,
  };
  access.pair = refresh.value;
  w.tokens.set(refresh.value, refresh);
  grant.tokens.add(refresh.value);
  return { access, refresh, grant };
}

/** "The value will always be 15897600 (6 months)." */
export const REFRESH_TOKEN_TTL_SECONDS = 15897600;

export function liveToken(w: GitHubWorld, value: string | null, kind: 'access' | 'refresh'): GitHubToken | null {
  const t = value ? w.tokens.get(value) : undefined;
  if (!t || t.kind !== kind || t.revoked) return null;
  if (t.expiresAt !== null && t.expiresAt <= Date.now()) return null;
  return t;
}

/** Revokes every token of the grant and deletes every SSH key created through it (ARCHITECTURE.md §2). */
export function revokeGrant(w: GitHubWorld, grant: GitHubGrant): void {
  for (const v of grant.tokens) {
    const t = w.tokens.get(v);
    if (t) t.revoked = true;
  }
  for (const [id, k] of w.keys) if (k.grantId === grant.id) w.keys.delete(id);
  w.grants.delete(grant.id);
}
