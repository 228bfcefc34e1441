// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * An in-process fake of Bitbucket Cloud: bitbucket.org's OAuth 2.0 endpoints and the
 * api.bitbucket.org/2.0 endpoints gitlink uses, served from one port (`apiUrl` = `${url}/2.0`).
 */
import { defaultBehavior, errorPage, parseSshKey, sendHtml, startServer, type Behavior, type RecordedRequest, type ServerTls } from './common';
import { CLOUD_API_PREFIX, createCloudApiRoutes } from './bitbucket-cloud/api';
import { CLOUD_PATHS, createCloudOAuthRoutes } from './bitbucket-cloud/oauth';
import { braced, ensureCloudUser, type CloudToken, type CloudUser, type CloudWorld } from './bitbucket-cloud/state';

export interface FakeBitbucketCloud {
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  addUser(nickname: string): CloudUser;
  keysOf(nickname: string): Array<{ uuid: string; key: string; label: string }>;
  /** Adds a key as if the user had pasted it on bitbucket.org. */
  addKey(nickname: string, key: string): void;
  tokens: Map<string, CloudToken>;
  behavior: Behavior;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeBitbucketCloud(
  opts: { mode?: 'auto' | 'page'; port?: number; tls?: ServerTls; callbackUrl?: string; consumerScopes?: string[] } = {},
): Promise<FakeBitbucketCloud> {
  const requests: RecordedRequest[] = [];
  // "Tokens last 2 h" (ARCHITECTURE.md §2).
  const behavior = defaultBehavior('pat', 7200);
  const w: CloudWorld = {
    url: '', apiUrl: '', clientId: 'FakeCloudKey123', clientSecret: 'fake-cloud-secret-0123456789abcdef',
    callbackUrl: opts.callbackUrl, consumerScopes: opts.consumerScopes ?? ['repository:write', 'account:write'],
    mode: opts.mode ?? 'auto', users: new Map(), keys: new Map(), codes: new Map(), tokens: new Map(), byRefresh: new Map(),
    behavior, requests,
  };
  const oauth = createCloudOAuthRoutes(w);
  const api = createCloudApiRoutes(w);
  const server = await startServer({
    behavior, requests, port: opts.port, tls: opts.tls,
    handler: (ctx) => {
      if (api(ctx)) return;
      if (ctx.path === CLOUD_PATHS.authorize && ctx.method === 'GET') return oauth.authorize(ctx);
      if (ctx.path === CLOUD_PATHS.decision && ctx.method === 'POST') return oauth.decision(ctx);
      if (ctx.path === CLOUD_PATHS.token && ctx.method === 'POST') return oauth.token(ctx);
      sendHtml(ctx.res, 404, errorPage('Not Found', `${ctx.method} ${ctx.path}`));
    },
  });
  w.url = server.url;
  w.apiUrl = `${server.url}${CLOUD_API_PREFIX}`;
  return {
    url: w.url,
    apiUrl: w.apiUrl,
    clientId: w.clientId,
    clientSecret: w.clientSecret,
    addUser: (nickname) => ensureCloudUser(w, nickname),
    keysOf: (nickname) => {
      const u = ensureCloudUser(w, nickname);
      return [...w.keys.values()].filter((k) => k.owner === u.uuid).map((k) => ({ uuid: k.uuid, key: k.key, label: k.label }));
    },
    addKey(nickname, key) {
      const parsed = parseSshKey(key);
      if (!parsed) throw new Error('not an SSH public key');
      const uuid = braced();
      w.keys.set(uuid, { uuid, key, label: 'added by hand', owner: ensureCloudUser(w, nickname).uuid, fingerprintSha256: parsed.fingerprintSha256, createdOn: new Date().toISOString() });
    },
    tokens: w.tokens,
    behavior,
    requests,
    close: () => server.close(),
  };
}
