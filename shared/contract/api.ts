/**
 * The request and answer bodies of every route (shared/routes.ts), as the server produces them
 * and the web UI (web/src/api.ts) and the CLI (cli/lib/api.ts) read them. Pure types.
 * `Answers` maps each route key to its answer; test/unit/contract.test.ts checks it covers
 * every route.
 */
import type { ErrorCode } from './errors';
import type { ProviderType } from './provider-types';

/** Every error answer (shared/errors.ts): extra client-safe fields repeat at the top level. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; linkUrl?: string; reason?: string; providerId?: string; host?: string; [k: string]: unknown };
  [k: string]: unknown;
}

// ── Developer ───────────────────────────────────────────────────────────────────

/** `GET /v1/providers`: each provider with this developer's link state. */
export interface ProviderSummary {
  id: string;
  type: ProviderType;
  displayName: string;
  baseUrl: string;
  gitOverHttps: boolean;
  linked: boolean;
  login?: string;
  needsRelink?: boolean;
  relinkReason?: string;
}

/** `GET /v1/links`: one per linked provider. */
export interface LinkSummary {
  providerId: string;
  login: string;
  accountId: string;
  scopes: string[];
  sshKeyRegistered: boolean;
  needsRelink: boolean;
  relinkReason?: string;
  /** When the provider's access token expires (refreshed before then); absent when it does not. */
  expiresAt?: string;
  linkedAt: string;
}

/** `POST /v1/links/{providerId}`: where to send the browser (the binding cookie comes with it). */
export interface LinkStart {
  authorizeUrl: string;
}

export type StepResult = 'ok' | 'failed' | 'skipped' | 'unsupported';

/** `DELETE /v1/links/{providerId}`: what each step did, so the developer knows what to clean up by hand. */
export interface UnlinkReport {
  providerId: string;
  sshKey: StepResult;
  token: StepResult;
  link: 'deleted';
  /** Client-safe reasons for failed steps (`provider`: the link was retired when its provider moved). */
  errors: { sshKey?: string; token?: string; provider?: string };
}

/** `GET /v1/me/ssh-key`. */
export interface SshKey {
  publicKey: string;
  fingerprint: string;
  type: 'ed25519';
  createdAt: string;
}

/**
 * Per provider, after `POST /v1/me/ssh-key/rotate`:
 * - `rotated`: the new key is registered and the old one deleted there;
 * - `old_key_kept`: the new key is registered, but deleting the old one failed (it still works there);
 * - `failed`: the new key could not be registered (the rotation did not happen anywhere);
 * - `rolled_back`: the new key was registered, then withdrawn because another provider failed.
 */
export interface ProviderRotation {
  providerId: string;
  status: 'rotated' | 'old_key_kept' | 'failed' | 'rolled_back';
  error?: string;
}

export interface RotationReport {
  /** The new key pair is in force (some providers may still hold the old key: `old_key_kept`). */
  rotated: boolean;
  publicKey: string;
  fingerprint: string;
  providers: ProviderRotation[];
}

/** `POST /v1/me/tokens`. `expiresInDays` defaults and bounds: shared/contract/env-tokens.ts. */
export interface CreateEnvTokenRequest {
  name: string;
  expiresInDays?: number;
}

/** An environment token as listed: never the secret, nor its hash. */
export interface EnvToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** The server sets it on every token it makes (`null` only on a record without one). */
  expiresAt: string | null;
}

/** The creation answer: the only time the token itself is shown. */
export interface NewEnvToken extends EnvToken {
  token: string;
}

// ── Environments (environment token) ───────────────────────────────────────────

/** `POST /v1/git/credential`: git's own attributes (git-credential(1)), as JSON or text. */
export interface CredentialRequest {
  protocol: string;
  host: string;
  path?: string;
  username?: string;
}

export interface CredentialAnswer {
  username: string;
  password: string;
  /** Unix seconds (git ≥ 2.41 `password_expiry_utc`); absent for tokens that do not expire. */
  password_expiry_utc?: number;
}

/** `GET /v1/env/ssh-key` (`?hostsOnly=true`: the host lists only). */
export interface EnvSshKeyAnswer {
  privateKey?: string;
  publicKey?: string;
  fingerprint?: string;
  /** Hosts serving git over SSH, for `~/.ssh/config`. */
  sshHosts: string[];
  /** Origins (`https://host[:port]`) serving git over HTTP(S), for `gitlink setup`. */
  httpsHosts: string[];
}

// ── Admin ──────────────────────────────────────────────────────────────────────

/** `POST /v1/admin/providers` (and `PUT`, where every field is optional and id/type cannot change). */
export interface ProviderRequest {
  id: string;
  type: ProviderType;
  displayName?: string;
  baseUrl?: string;
  /** `null` on an update removes the override. */
  apiUrl?: string | null;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[] | string;
  pkce?: boolean;
  consumerKey?: string;
  consumerName?: string;
}

/** What the provider's Application Link form asks for (signing-key types). */
export interface ApplicationLinkForm {
  form: string;
  applicationUrl: string;
  consumerKey?: string;
  consumerName?: string;
  publicKeyPem?: string;
  consumerCallbackUrl: string;
}

/** A provider as admins see it: everything needed to register gitlink with it, never the secret. */
export interface AdminProvider {
  id: string;
  type: ProviderType;
  displayName: string;
  baseUrl: string;
  apiUrl?: string;
  clientId: string;
  clientSecretSet: boolean;
  scopes: string[];
  pkce: boolean;
  homepageUrl: string;
  callbackUrl: string;
  setupHint: string;
  consumerKey?: string;
  consumerName?: string;
  /** The key to paste: after a rotation, the new one. */
  publicKeyPem?: string;
  pendingPublicKeyPem?: string;
  /** During a rotation: the key that still signs until the admin confirms. */
  previousPublicKeyPem?: string;
  applicationLink?: ApplicationLinkForm;
  createdAt: string;
  updatedAt: string;
}

/** `DELETE /v1/admin/providers/{id}`: with the URLs, so the admin can find the OAuth app to delete. */
export interface ProviderDeleted {
  deleted: string;
  links: number;
  homepageUrl: string;
  callbackUrl: string;
}

/** `GET /v1/admin/users/{userId}`: what one developer holds. */
export interface AdminUser {
  userId: string;
  /** As the developer sees them, plus when each token was last refreshed (the link time when never). */
  links: Array<LinkSummary & { lastRefreshAt: string }>;
  envTokens: EnvToken[];
  sshKey: { fingerprint: string; createdAt: string } | null;
}

/** One provider's part of an offboarding. */
export interface OffboardProviderReport {
  providerId: string;
  login: string;
  sshKey: StepResult;
  token: StepResult;
  link: 'deleted';
  /** What the admin must still do at the provider; empty when nothing is left there. */
  manual: string[];
}

/** `DELETE /v1/admin/users/{userId}`: everything removed, and what is left to do by hand. */
export interface OffboardReport {
  userId: string;
  providers: OffboardProviderReport[];
  envTokensRevoked: number;
  sshKeyDeleted: boolean;
  /** True when nothing is left to do by hand at any provider. */
  complete: boolean;
}

/** `GET /v1/admin/audit`: lifecycle events, newest first (their fields: docs/events.md). */
export interface AuditPage {
  events: Array<{ id: string; version: number; time: string; type: string; [k: string]: unknown }>;
  /** Pass as `cursor` for the next page; `null` on the last. */
  nextCursor: string | null;
}

/** The JSON answer of each route; `html`, `asset`, `script` and `redirect` answers are not JSON. */
export interface Answers {
  'GET /': 'html';
  'GET /assets/{proxy+}': 'asset';
  'GET /link/{providerId}': 'html';
  'GET /healthz': { status: 'ok' };
  'GET /install.sh': 'script';
  'GET /v1/providers': { providers: ProviderSummary[] };
  'GET /v1/admin/providers': { providers: AdminProvider[] };
  'POST /v1/admin/providers': AdminProvider;
  'GET /v1/admin/providers/{id}': AdminProvider;
  'PUT /v1/admin/providers/{id}': AdminProvider;
  'DELETE /v1/admin/providers/{id}': ProviderDeleted;
  'POST /v1/admin/providers/{id}/rotate-signing-key': AdminProvider;
  'POST /v1/admin/providers/{id}/confirm-signing-key': AdminProvider;
  'POST /v1/links/{providerId}': LinkStart;
  'GET /oauth/callback': 'redirect';
  'GET /v1/links': { links: LinkSummary[] };
  'DELETE /v1/links/{providerId}': UnlinkReport;
  'GET /v1/me/ssh-key': SshKey;
  'POST /v1/me/ssh-key/rotate': RotationReport;
  'GET /v1/me/tokens': { tokens: EnvToken[] };
  'POST /v1/me/tokens': NewEnvToken;
  'DELETE /v1/me/tokens/{id}': void;
  'POST /v1/git/credential': CredentialAnswer;
  'GET /v1/env/ssh-key': EnvSshKeyAnswer;
  'GET /v1/admin/users/{userId}': AdminUser;
  'DELETE /v1/admin/users/{userId}': OffboardReport;
  'GET /v1/admin/audit': AuditPage;
}
