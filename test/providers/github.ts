// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * An in-process fake of GitHub (github.com or GHES): OAuth web flow + the REST endpoints gitlink uses.
 *
 * github.com serves the API at https://api.github.com; one fake host cannot, so it serves the API
 * under `${url}/api` (GHES: `${url}/api/v3`, as real GHES does). Our provider code must therefore
 * accept an API base URL override; pass it `apiUrl`.
 */
import { defaultBehavior, sendHtml, errorPage, startServer, type Behavior, type RecordedRequest, type ServerTls } from './common';
import { createApiRoutes } from './github/api';
import { createOAuthRoutes } from './github/oauth';
import { ensureUser, issueTokens, type GitHubGrant, type GitHubKey, type GitHubToken, type GitHubUser, type GitHubWorld } from './github/state';

export type { GitHubGrant, GitHubKey, GitHubToken, GitHubUser } from './github/state';

export interface FakeGitHubOptions {
  /** 'auto' (default): /authorize redirects at once. 'page': an approve/deny page (sandbox, browser tests). */
  mode?: 'auto' | 'page';
  /** GHES: API under /api/v3. Default false (github.com emulation: API under /api). */
  enterprise?: boolean;
  clientId?: string;
  clientSecret?: string;
  /** GitHub App user tokens: expires_in 28800 + single-use refresh_token (ghu_/ghr_ prefixes, scope ""). */
  tokenExpiry?: boolean;
  /** Registered callback URL. When set, redirect_uri is checked against it (GitHub's rules) and may be omitted. */
  callbackUrl?: string;
  /** Fixed port (sandbox); default random. */
  port?: number;
  /** Serve https with this key and certificate (the deployed tier: providers are https there). */
  tls?: ServerTls;
}

export interface FakeGitHub {
  /** Base URL, e.g. http://127.0.0.1:PORT (authorize/token endpoints live here). */
  url: string;
  /** `${url}/api/v3` when enterprise, else `${url}/api`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GitHubUser>;
  /** Adds (or replaces) a user. octocat (id 583231) exists from the start. */
  addUser(login: string, id?: number): GitHubUser;
  /** Keys currently on the user's account. */
  keysOf(login: string): Array<{ id: number; key: string; title: string }>;
  /** Grants by id: one per (client, user); revoking deletes its tokens and the keys made through it. */
  grants: Map<string, GitHubGrant>;
  /** Every token ever issued, by value (check `.revoked`, `.expiresAt`). */
  tokens: Map<string, GitHubToken>;
  /** Tokens of a user that still work. */
  liveTokensOf(login: string): GitHubToken[];
  /** Mints a token without the browser dance (for tests that start "already linked"). */
  mintToken(login: string, scopes?: string[]): { accessToken: string; refreshToken: string | null };
  /** Makes every access token of the fake expired now (GitHub App mode semantics). */
  expireAccessTokens(): void;
  behavior: Behavior;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const GITHUB_DEFAULT_SCOPES = ['repo', 'admin:public_key', 'read:user'];

export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  // GitHub App user tokens last 8 hours: "The value will always be 28800".
  const behavior = defaultBehavior('octocat', 28800);
  const apiPrefix = opts.enterprise ? '/api/v3' : '/api';
  const w: GitHubWorld = {
    url: '', apiUrl: '',
    clientId: opts.clientId ?? 'Iv1.fakegithubclient',
    clientSecret: opts.clientSecret ?? 'fake-github-client-secret',
    callbackUrl: opts.callbackUrl ?? null,
    tokenExpiry: opts.tokenExpiry ?? false,
    mode: opts.mode ?? 'auto',
    users: new Map(), codes: new Map(), grants: new Map(), tokens: new Map(), keys: new Map(),
    behavior, requests, nextKeyId: 1, nextUserId: 1000,
  };
  ensureUser(w, 'octocat', 583231);
  const oauth = createOAuthRoutes(w);
  const api = createApiRoutes(w, apiPrefix);
  const server = await startServer({
    behavior, requests, port: opts.port, tls: opts.tls,
    handler: (ctx) => {
      if (api(ctx)) return;
      if (ctx.path === '/login/oauth/authorize' && ctx.method === 'GET') return oauth.authorize(ctx);
      if (ctx.path === '/login/oauth/authorize/decision' && ctx.method === 'POST') return oauth.decision(ctx);
      if (ctx.path === '/login/oauth/access_token' && ctx.method === 'POST') return oauth.accessToken(ctx);
      sendHtml(ctx.res, 404, errorPage('Not Found', `${ctx.method} ${ctx.path}`));
    },
  });
  w.url = server.url;
  w.apiUrl = `${server.url}${apiPrefix}`;
  const isLive = (t: GitHubToken) => !t.revoked && (t.expiresAt === null || t.expiresAt > Date.now());
  return {
    url: w.url,
    apiUrl: w.apiUrl,
    clientId: w.clientId,
    clientSecret: w.clientSecret,
    users: w.users,
    addUser: (login, id) => ensureUser(w, login, id ?? w.nextUserId++),
    keysOf: (login) => [...w.keys.values()].filter((k) => k.login === login).map(({ id, key, title }) => ({ id, key, title })),
    grants: w.grants,
    tokens: w.tokens,
    liveTokensOf: (login) => [...w.tokens.values()].filter((t) => t.login === login && isLive(t)),
    mintToken(login, scopes = GITHUB_DEFAULT_SCOPES) {
      ensureUser(w, login);
      const t = issueTokens(w, w.clientId, login, scopes);
      return { accessToken: t.access.value, refreshToken: t.refresh?.value ?? null };
    },
    expireAccessTokens() {
      for (const t of w.tokens.values()) if (t.kind === 'access') t.expiresAt = Date.now() - 1;
    },
    behavior,
    requests,
    close: () => server.close(),
  };
}
