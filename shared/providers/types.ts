/**
 * The provider abstraction (ARCHITECTURE.md §2): one interface, one implementation per
 * protocol (oauth2.ts, oauth1.ts), and one file per provider type holding its
 * URLs and quirks (its facts are in shared/contract/provider-types.ts). Nothing outside this folder branches
 * on a provider type.
 */
import type { ProviderType } from '../contract/provider-types';
import type { SigningKeyPair } from '../crypto/port';

// The facts about each type (label, defaults, credential kind, capabilities) are the contract's catalog.
export { providerTypes, type ProviderType } from '../contract/provider-types';

/** A provider as stored (ARCHITECTURE.md §4). The client secret lives in Secrets Manager, never here. */
export interface ProviderConfig {
  id: string;
  type: ProviderType;
  displayName: string;
  /** Web base URL: `https://github.com`, `https://gitlab.example.com`, `https://bitbucket.example.com`. */
  baseUrl: string;
  /** REST API base, when it is not derived from baseUrl (GHES, tests). */
  apiUrl?: string;
  clientId: string;
  scopes: string[];
  pkce: boolean;
  clientSecretSet: boolean;
  /** OAuth 1.0a (bitbucket-server) only. */
  consumerKey?: string;
  consumerName?: string;
  signingKey?: SigningKeyPair;
  /** A rotated key waiting for the admin's confirmation; the old one signs until then. */
  pendingSigningKey?: SigningKeyPair;
  /** Git hosts this provider served before an admin moved it (newest first): their credential requests answer `relink_required` (shared/admin/provider-move.ts). */
  movedFromHosts?: string[];
  createdAt: string;
  updatedAt: string;
}

/** Tokens as the protocol hands them back. `expiresAt` is epoch ms. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** OAuth 1.0a token secret (unused with RSA-SHA1, kept for completeness of RFC 5849 §2.3). */
  tokenSecret?: string;
  expiresAt?: number;
  scopes?: string[];
}

export interface Identity {
  /** Stable account id at the provider (numeric id, uuid, or username where that is all there is). */
  accountId: string;
  login: string;
}

export interface RemoteKey {
  id: string;
}

/** What gitlink does with a linked account. Built per call from config + credentials. */
export interface ProviderApi {
  identity(): Promise<Identity>;
  /** Registers the key; a key that is already this account's counts as success. */
  addSshKey(publicKey: string, title: string): Promise<RemoteKey>;
  /** Deleting a key that is already gone counts as success. */
  deleteSshKey(id: string): Promise<void>;
  /**
   * This account's key with this key material (comment ignored), through the provider's
   * paginated list-keys API: how gitlink finds its key when the upload's answer was lost
   * and no id was stored (issue 10, attack 5). Undefined when the account has no such key.
   */
  findSshKey(publicKey: string): Promise<RemoteKey | undefined>;
}

/** How the browser is sent to the provider, and what the callback must then do. */
export interface AuthorizationStart {
  authorizeUrl: string;
  /** Protocol secrets to keep (encrypted) with the state until the callback. */
  secrets: Record<string, string>;
  /** The value the provider echoes back to the callback, identifying this attempt (`state` or `oauth_token`). */
  correlation: string;
}

export interface SigningKeyRef {
  /** The decrypted private key PEM, decrypted by KMS in this function only and cached. */
  pem: () => Promise<string>;
  /** Records that the provider accepted this key, so it is tried first from now on. */
  accepted: () => void;
}

export interface ProviderContext {
  config: ProviderConfig;
  /** The client secret from Secrets Manager (OAuth 2.0). */
  clientSecret: () => Promise<string>;
  /**
   * The RSA signing keys to try (OAuth 1.0a), in order: the one that last worked
   * first. During a rotation there are two: the provider holds either the old or
   * the new public key, depending on whether the admin has pasted the new one yet.
   */
  signingKeys: () => SigningKeyRef[];
  /** `{origin}/oauth/callback`. */
  callbackUrl: string;
  timeoutMs: number;
  /** Local mode only: a provider on loopback may be called (shared/providers/http.ts). */
  allowLoopback: boolean;
}

export type RevokeResult = 'ok' | 'unsupported';

/** One per provider type. */
export interface Provider {
  type: ProviderType;
  protocol: 'oauth2' | 'oauth1';
  /** Hosts that serve git over SSH for this provider (for `~/.ssh/config`). */
  sshHost(config: ProviderConfig): string;
  /** Hosts git uses over HTTPS, to match a credential request to this provider. */
  gitHttpsHost(config: ProviderConfig): string;

  startAuthorization(ctx: ProviderContext, p: { state: string; codeChallenge?: string }): Promise<AuthorizationStart>;
  /** Finishes the protocol at the callback: code (+verifier) or oauth_token + verifier → tokens. */
  finishAuthorization(ctx: ProviderContext, p: { query: Record<string, string>; secrets: Record<string, string> }): Promise<TokenSet>;
  refresh?(ctx: ProviderContext, refreshToken: string): Promise<TokenSet>;
  /**
   * How this provider's refresh tokens age, for the scheduled refresh (shared/store/refresh-due.ts).
   * `rotates`: each refresh answers a new refresh token and spends the old one;
   * `lifetimeMs`: how long a refresh token lives unused, where the provider documents it.
   * Absent: nothing to refresh ahead of time.
   */
  refreshTokens?: { rotates: boolean; lifetimeMs?: number };
  revoke(ctx: ProviderContext, tokens: TokenSet): Promise<RevokeResult>;
  /**
   * Revokes these tokens only, leaving the user's other tokens for this client (a link
   * they already have) alive: used to discard what a refused callback's code yielded.
   * Absent: `revoke` is already scoped to the token (or unsupported).
   */
  revokeToken?(ctx: ProviderContext, tokens: TokenSet): Promise<RevokeResult>;
  api(ctx: ProviderContext, tokens: TokenSet): ProviderApi;
}
