// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** The fake GitLab's in-memory world. GitLab's OAuth server is the doorkeeper gem; records mirror its model. */
import { randomHex, type Behavior, type RecordedRequest } from '../common';

export interface GitLabUser {
  id: number;
  username: string;
  name: string;
  email: string;
}

/** One doorkeeper access-token record: an access token and its refresh token live and die together. */
export interface GitLabToken {
  accessToken: string;
  refreshToken: string;
  username: string;
  clientId: string;
  scopes: string[];
  /** The redirect_uri of the authorization; a refresh must send the same one. */
  redirectUri: string;
  /** Epoch seconds, as GitLab answers `created_at`. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  /** null while usable; 'refreshed' once rotated away; 'revoked' after /oauth/revoke. */
  revoked: null | 'refreshed' | 'revoked';
}

export interface GitLabKey {
  id: number;
  title: string;
  /** As submitted (trimmed), comment included. */
  key: string;
  fingerprintSha256: string;
  username: string;
  createdAt: string;
}

export interface GitLabCode {
  code: string;
  clientId: string;
  redirectUri: string;
  username: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: number;
  used: boolean;
}

export interface GitLabWorld {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; empty = accept any. */
  redirectUris: string[];
  /** Scopes the application was registered with; a request may ask for a subset. */
  appScopes: string[];
  mode: 'auto' | 'page';
  users: Map<string, GitLabUser>;
  codes: Map<string, GitLabCode>;
  /** By access token. */
  tokens: Map<string, GitLabToken>;
  byRefresh: Map<string, GitLabToken>;
  keys: Map<number, GitLabKey>;
  behavior: Behavior;
  requests: RecordedRequest[];
  nextKeyId: number;
  nextUserId: number;
}

export function ensureUser(w: GitLabWorld, username: string, id?: number): GitLabUser {
  const existing = w.users.get(username);
  if (existing && id === undefined) return existing;
  const user: GitLabUser = { id: id ?? w.nextUserId++, username, name: username, email: `${username}@example.test` };
  w.users.set(username, user);
  return user;
}

/** GitLab OAuth tokens are 64 hex characters. */
export function issueToken(w: GitLabWorld, clientId: string, username: string, scopes: string[], redirectUri: string): GitLabToken {
  const now = Date.now();
  const t: GitLabToken = {
    accessToken: randomHex(32), refreshToken: randomHex(32), username, clientId, scopes, redirectUri,
    createdAt: Math.floor(now / 1000), expiresAt: now + w.behavior.accessTokenTtlSeconds * 1000, revoked: null,
  };
  w.tokens.set(t.accessToken, t);
  w.byRefresh.set(t.refreshToken, t);
  return t;
}

/** The token endpoint's success body (https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce). */
export function tokenBody(t: GitLabToken) {
  return {
    access_token: t.accessToken,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.round((t.expiresAt - Date.now()) / 1000)),
    refresh_token: t.refreshToken,
    scope: t.scopes.join(' '),
    created_at: t.createdAt,
  };
}
