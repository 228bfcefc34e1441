// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * An in-process fake of GitLab (gitlab.com or self-managed): OAuth 2.0 (+PKCE, rotating refresh
 * tokens, revocation) and the REST v4 endpoints gitlink uses, at the same paths as the real thing.
 */
import { defaultBehavior, errorPage, sendHtml, startServer, type Behavior, type RecordedRequest, type ServerTls } from './common';
import { API_PREFIX, createApiRoutes } from './gitlab/api';
import { createOAuthRoutes } from './gitlab/oauth';
import { ensureUser, issueToken, type GitLabKey, type GitLabToken, type GitLabUser, type GitLabWorld } from './gitlab/state';

export type { GitLabKey, GitLabToken, GitLabUser } from './gitlab/state';

export interface FakeGitLabOptions {
  /** 'auto' (default): /oauth/authorize redirects at once. 'page': an approve/deny page. */
  mode?: 'auto' | 'page';
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs (exact match, as doorkeeper checks). Default: accept any. */
  redirectUris?: string[];
  /** Scopes the application is registered with. Default `api read_user write_repository`. */
  appScopes?: string[];
  /** Access-token lifetime in seconds (GitLab: 7200). Also settable later via behavior.accessTokenTtlSeconds. */
  accessTokenTtlSeconds?: number;
  /** Fixed port (sandbox); default random. */
  port?: number;
  /** Serve https with this key and certificate (the deployed tier: providers are https there). */
  tls?: ServerTls;
}

export interface FakeGitLab {
  /** Base URL, e.g. http://127.0.0.1:PORT (/oauth/* lives here). */
  url: string;
  /** `${url}/api/v4`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GitLabUser>;
  /** Adds (or replaces) a user. `tanuki` (id 4242) exists from the start. */
  addUser(username: string, id?: number): GitLabUser;
  keysOf(username: string): Array<{ id: number; key: string; title: string }>;
  /** Token records by access token (check `.revoked`, `.expiresAt`, `.refreshToken`). */
  tokens: Map<string, GitLabToken>;
  liveTokensOf(username: string): GitLabToken[];
  /** Mints a token pair without the browser dance. redirectUri binds later refreshes. */
  mintToken(username: string, opts?: { scopes?: string[]; redirectUri?: string }): { accessToken: string; refreshToken: string };
  /** Makes every access token expired now (refresh tokens keep working). */
  expireAccessTokens(): void;
  behavior: Behavior;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const GITLAB_DEFAULT_SCOPES = ['api', 'read_user', 'write_repository'];

export async function startFakeGitLab(opts: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  const requests: RecordedRequest[] = [];
  // "Access tokens expire after 2 h" (GitLab 15.0+; ARCHITECTURE.md §2).
  const behavior = defaultBehavior('tanuki', opts.accessTokenTtlSeconds ?? 7200);
  const w: GitLabWorld = {
    url: '', apiUrl: '',
    clientId: opts.clientId ?? 'fake-gitlab-application-id',
    clientSecret: opts.clientSecret ?? 'gloas-fake-gitlab-secret',
    redirectUris: opts.redirectUris ?? [],
    appScopes: opts.appScopes ?? GITLAB_DEFAULT_SCOPES,
    mode: opts.mode ?? 'auto',
    users: new Map(), codes: new Map(), tokens: new Map(), byRefresh: new Map(), keys: new Map(),
    behavior, requests, nextKeyId: 1, nextUserId: 5000,
  };
  ensureUser(w, 'tanuki', 4242);
  const oauth = createOAuthRoutes(w);
  const api = createApiRoutes(w);
  const server = await startServer({
    behavior, requests, port: opts.port, tls: opts.tls,
    handler: (ctx) => {
      if (api(ctx)) return;
      if (ctx.path === '/oauth/authorize' && ctx.method === 'GET') return oauth.authorize(ctx);
      if (ctx.path === '/oauth/authorize/decision' && ctx.method === 'POST') return oauth.decision(ctx);
      if (ctx.path === '/oauth/token' && ctx.method === 'POST') return oauth.token(ctx);
      if (ctx.path === '/oauth/revoke' && ctx.method === 'POST') return oauth.revoke(ctx);
      sendHtml(ctx.res, 404, errorPage('Not Found', `${ctx.method} ${ctx.path}`));
    },
  });
  w.url = server.url;
  w.apiUrl = `${server.url}${API_PREFIX}`;
  const keySummary = (k: GitLabKey) => ({ id: k.id, key: k.key, title: k.title });
  return {
    url: w.url,
    apiUrl: w.apiUrl,
    clientId: w.clientId,
    clientSecret: w.clientSecret,
    users: w.users,
    addUser: (username, id) => ensureUser(w, username, id ?? w.nextUserId++),
    keysOf: (username) => [...w.keys.values()].filter((k) => k.username === username).map(keySummary),
    tokens: w.tokens,
    liveTokensOf: (username) =>
      [...w.tokens.values()].filter((t) => t.username === username && t.revoked === null && t.expiresAt > Date.now()),
    mintToken(username, o = {}) {
      ensureUser(w, username);
      const t = issueToken(w, w.clientId, username, o.scopes ?? w.appScopes, o.redirectUri ?? 'http://127.0.0.1/oauth/callback');
      return { accessToken: t.accessToken, refreshToken: t.refreshToken };
    },
    expireAccessTokens() {
      for (const t of w.tokens.values()) t.expiresAt = Date.now() - 1;
    },
    behavior,
    requests,
    close: () => server.close(),
  };
}
