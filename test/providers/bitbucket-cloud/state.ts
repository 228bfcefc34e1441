// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** The fake Bitbucket Cloud's in-memory world. Accounts and keys are identified by braced UUIDs. */
import { randomUUID } from 'node:crypto';
import type { Behavior, RecordedRequest } from '../common';

export interface CloudUser {
  uuid: string;
  accountId: string;
  nickname: string;
  displayName: string;
}

export interface CloudKey {
  uuid: string;
  key: string;
  label: string;
  owner: string;
  fingerprintSha256: string;
  createdOn: string;
}

export interface CloudToken {
  accessToken: string;
  refreshToken: string;
  owner: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface CloudWorld {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** The consumer's Callback URL; a request's redirect_uri must start with it. */
  callbackUrl: string | undefined;
  /** The consumer's permissions: Bitbucket grants these, whatever `scope` asks. */
  consumerScopes: string[];
  mode: 'auto' | 'page';
  users: Map<string, CloudUser>;
  keys: Map<string, CloudKey>;
  codes: Map<string, { owner: string; redirectUri: string | undefined; used: boolean; expiresAt: number }>;
  tokens: Map<string, CloudToken>;
  byRefresh: Map<string, CloudToken>;
  behavior: Behavior;
  requests: RecordedRequest[];
}

export const braced = () => `{${randomUUID()}}`;

export function ensureCloudUser(w: CloudWorld, nickname: string): CloudUser {
  const existing = [...w.users.values()].find((u) => u.nickname === nickname);
  if (existing) return existing;
  const u: CloudUser = { uuid: braced(), accountId: `557058:${randomUUID()}`, nickname, displayName: nickname };
  w.users.set(u.uuid, u);
  return u;
}

/** repository:write implies repository; account:write implies account (the scopes page). */
export function hasScope(granted: string[], needed: string): boolean {
  return granted.includes(needed) || granted.includes(`${needed}:write`) || granted.includes(`${needed}:admin`);
}
