// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * The fake Bitbucket Server's in-memory world: users, SSH keys, and the OAuth 1.0a
 * service provider (application links = consumers, request and access tokens, seen nonces).
 * The Data Center fake (../bitbucket-dc.ts) shares users and keys, with OAuth 2.0 tokens instead.
 */
import type { Behavior, RecordedRequest } from '../common';

export interface BbsUser {
  id: number;
  /** The username (what whoami answers). */
  name: string;
  /** URL slug: lowercased, characters outside [a-z0-9._-] replaced by '_' (`jane.doe@corp` → `jane.doe_corp`). */
  slug: string;
  displayName: string;
  email: string;
}

export interface BbsKey {
  id: number;
  text: string;
  label: string;
  username: string;
  fingerprintSha256: string;
}

/** An application link's Incoming Authentication: what the admin pasted. */
export interface Consumer {
  key: string;
  name: string;
  publicKeyPem: string;
}

export interface RequestToken {
  token: string;
  secret: string;
  consumerKey: string;
  callback: string;
  /** Epoch ms. Atlassian's request tokens live 10 minutes. */
  expiresAt: number;
  /** Set when the user approves; `denied` when they refuse. */
  username: string | null;
  denied: boolean;
  verifier: string | null;
  /** Exchanged for an access token already (single use). */
  used: boolean;
}

export interface AccessToken {
  token: string;
  secret: string;
  consumerKey: string;
  username: string;
  revoked: boolean;
}

export interface BbsWorld {
  url: string;
  mode: 'auto' | 'page';
  users: Map<string, BbsUser>;
  keys: Map<number, BbsKey>;
  consumers: Map<string, Consumer>;
  requestTokens: Map<string, RequestToken>;
  accessTokens: Map<string, AccessToken>;
  /** `consumer|timestamp|nonce` → when it may be forgotten (epoch ms). */
  nonces: Map<string, number>;
  /** Added to the fake's clock (ms): simulates a server whose clock is off. */
  clockSkewMs: number;
  /** Whether `/rest/api/1.0/users…` exists for this token. */
  usersApi: boolean;
  behavior: Behavior;
  requests: RecordedRequest[];
  nextKeyId: number;
  nextUserId: number;
}

export const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9._-]/g, '_');

export function ensureUser(w: BbsWorld, name: string, id?: number): BbsUser {
  const existing = w.users.get(name);
  if (existing && id === undefined) return existing;
  const u: BbsUser = { id: id ?? w.nextUserId++, name, slug: slugOf(name), displayName: name, email: `${slugOf(name)}@example.test` };
  w.users.set(name, u);
  return u;
}

export const now = (w: BbsWorld) => Date.now() + w.clockSkewMs;
