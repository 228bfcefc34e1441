// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * An in-process fake of Bitbucket Data Center with an OAuth 2.0 incoming link: the
 * OAuth endpoints (./bitbucket-dc/oauth.ts) and the same REST endpoints as the
 * Bitbucket Server fake, authenticated by Bearer token.
 */
import { defaultBehavior, errorPage, sendHtml, startServer, type Behavior, type RecordedRequest, type ServerTls } from './common';
import { createApiRoutes } from './bitbucket-server/api';
import { ensureUser, type BbsUser, type BbsWorld } from './bitbucket-server/state';
import { createDcOAuthRoutes, DC_PATHS, type DcOAuthState, type DcToken } from './bitbucket-dc/oauth';

export interface FakeBitbucketDc {
  url: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, BbsUser>;
  keysOf(username: string): Array<{ id: number; text: string; label: string }>;
  tokens: Map<string, DcToken>;
  behavior: Behavior;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeBitbucketDc(opts: { mode?: 'auto' | 'page'; port?: number; tls?: ServerTls; redirectUris?: string[] } = {}): Promise<FakeBitbucketDc> {
  const requests: RecordedRequest[] = [];
  // "Access tokens last 1 h" (ARCHITECTURE.md §2).
  const behavior = defaultBehavior('jdoe', 3600);
  const w: BbsWorld = {
    url: '', mode: opts.mode ?? 'auto', users: new Map(), keys: new Map(), consumers: new Map(),
    requestTokens: new Map(), accessTokens: new Map(), nonces: new Map(), clockSkewMs: 0, usersApi: true,
    behavior, requests, nextKeyId: 1, nextUserId: 101,
  };
  ensureUser(w, 'admin', 1);
  const o: DcOAuthState = {
    clientId: 'fake-dc-client-id', clientSecret: 'fake-dc-client-secret', redirectUris: opts.redirectUris ?? [],
    codes: new Map(), tokens: new Map(), byRefresh: new Map(),
  };
  const oauth = createDcOAuthRoutes(w, o, behavior);
  const api = createApiRoutes(w, oauth.authenticate);
  const server = await startServer({
    behavior, requests, port: opts.port, tls: opts.tls,
    handler: (ctx) => {
      if (ctx.path === DC_PATHS.authorize && ctx.method === 'GET') return oauth.authorize(ctx);
      if (ctx.path === DC_PATHS.decision && ctx.method === 'POST') return oauth.decision(ctx);
      if (ctx.path === DC_PATHS.token && ctx.method === 'POST') return oauth.token(ctx);
      if (api(ctx)) return;
      sendHtml(ctx.res, 404, errorPage('Not Found', `${ctx.method} ${ctx.path}`));
    },
  });
  w.url = server.url;
  return {
    url: w.url,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    users: w.users,
    keysOf: (username) => [...w.keys.values()].filter((k) => k.username === username).map((k) => ({ id: k.id, text: k.text, label: k.label })),
    tokens: o.tokens,
    behavior,
    requests,
    close: () => server.close(),
  };
}
