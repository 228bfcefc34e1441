// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * An in-process fake of Bitbucket Server with an application link: the OAuth 1.0a
 * service provider (RSA-SHA1 signatures verified against the public key the admin
 * pasted, nonce and timestamp checks, single-use request tokens) and the REST
 * endpoints gitlink uses, whose calls are signed too.
 */
import { defaultBehavior, errorPage, escapeHtml, parseSshKey, redirect, sendHtml, startServer, type Behavior, type RecordedRequest, type ServerTls } from './common';
import { createApiRoutes } from './bitbucket-server/api';
import { authenticateOAuth1, createOAuthRoutes, OAUTH_PATHS, OAuthProblem, sendProblem } from './bitbucket-server/oauth';
import { ensureUser, type AccessToken, type BbsKey, type BbsUser, type BbsWorld } from './bitbucket-server/state';

export type { BbsKey, BbsUser } from './bitbucket-server/state';

export interface FakeBitbucketServerOptions {
  /** 'auto' (default): authorize redirects at once as behavior.nextUser. 'page': an approve/deny page. */
  mode?: 'auto' | 'page';
  port?: number;
  /** Serve https with this key and certificate (the deployed tier: providers are https there). */
  tls?: ServerTls;
  /** false: the users REST API (`/rest/api/1.0/users…`) answers 404, as on a server that only exposes whoami to this token. */
  usersApi?: boolean;
}

export interface FakeBitbucketServer {
  url: string;
  /** Application link → Incoming Authentication: what the admin pastes (replaces an earlier one for the key). */
  registerConsumer(c: { key: string; name?: string; publicKeyPem: string }): void;
  users: Map<string, BbsUser>;
  /** `admin` (id 1) exists from the start. */
  addUser(name: string, id?: number): BbsUser;
  keysOf(username: string): Array<{ id: number; text: string; label: string }>;
  /** Adds a key as if the user had pasted it in Bitbucket. */
  addKey(username: string, text: string): BbsKey;
  accessTokens: Map<string, AccessToken>;
  /** Added to the fake's clock, in seconds (timestamp checks). */
  setClockSkew(seconds: number): void;
  behavior: Behavior;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeBitbucketServer(opts: FakeBitbucketServerOptions = {}): Promise<FakeBitbucketServer> {
  const requests: RecordedRequest[] = [];
  const behavior = defaultBehavior('jdoe', 0);
  const w: BbsWorld = {
    url: '', mode: opts.mode ?? 'auto', users: new Map(), keys: new Map(), consumers: new Map(),
    requestTokens: new Map(), accessTokens: new Map(), nonces: new Map(), clockSkewMs: 0, usersApi: opts.usersApi ?? true,
    behavior, requests, nextKeyId: 1, nextUserId: 101,
  };
  ensureUser(w, 'admin', 1);
  const oauth = createOAuthRoutes(w);
  const api = createApiRoutes(w, (ctx) => {
    try {
      return authenticateOAuth1(w, ctx).username;
    } catch (e) {
      if (!(e instanceof OAuthProblem)) throw e;
      sendProblem(ctx, w, e);
      return null;
    }
  });
  const server = await startServer({
    behavior, requests, port: opts.port, tls: opts.tls,
    handler: (ctx) => {
      if (ctx.path === OAUTH_PATHS.requestToken && ctx.method === 'POST') return oauth.requestToken(ctx);
      if (ctx.path === OAUTH_PATHS.authorize && ctx.method === 'GET') return oauth.authorize(ctx);
      if (ctx.path === OAUTH_PATHS.decision && ctx.method === 'POST') return oauth.decision(ctx);
      if (ctx.path === OAUTH_PATHS.accessToken && ctx.method === 'POST') return oauth.accessToken(ctx);
      if (api(ctx)) return;
      if (w.mode === 'page' && ctx.path === APPLINKS_PAGE && ctx.method === 'GET') return sendHtml(ctx.res, 200, applinksPage(w));
      if (w.mode === 'page' && ctx.path === APPLINKS_PAGE && ctx.method === 'POST') {
        const c = w.consumers.get(ctx.params.consumer_key ?? '');
        const pem = (ctx.params.public_key ?? '').trim();
        if (!c || !/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(pem)) {
          return sendHtml(ctx.res, 400, errorPage('Invalid', 'Unknown consumer or not a PEM public key.'));
        }
        c.publicKeyPem = `${pem}\n`;
        return redirect(ctx.res, APPLINKS_PAGE);
      }
      sendHtml(ctx.res, 404, errorPage('Not Found', `${ctx.method} ${ctx.path}`));
    },
  });
  w.url = server.url;
  return {
    url: w.url,
    registerConsumer: (c) => w.consumers.set(c.key, { key: c.key, name: c.name ?? c.key, publicKeyPem: c.publicKeyPem }),
    users: w.users,
    addUser: (name, id) => ensureUser(w, name, id ?? w.nextUserId++),
    keysOf: (username) => [...w.keys.values()].filter((k) => k.username === username).map((k) => ({ id: k.id, text: k.text, label: k.label })),
    addKey(username, text) {
      const k: BbsKey = { id: w.nextKeyId++, text, label: 'added by hand', username, fingerprintSha256: parseFingerprint(text) };
      w.keys.set(k.id, k);
      return k;
    },
    accessTokens: w.accessTokens,
    setClockSkew: (seconds) => {
      w.clockSkewMs = seconds * 1000;
    },
    behavior,
    requests,
    close: () => server.close(),
  };
}

/** Sandbox only: the Application Link's Incoming Authentication, where an admin pastes a rotated public key. */
const APPLINKS_PAGE = '/plugins/servlet/applinks/listApplicationLinks';

function applinksPage(w: BbsWorld): string {
  const forms = [...w.consumers.values()].map((c) => `
    <form method="post" action="${APPLINKS_PAGE}">
      <h2>${escapeHtml(c.name)}</h2>
      <input type="hidden" name="consumer_key" value="${escapeHtml(c.key)}">
      <p>Consumer Key: <code>${escapeHtml(c.key)}</code></p>
      <p><label for="pk-${escapeHtml(c.key)}">Public Key</label><br>
      <textarea id="pk-${escapeHtml(c.key)}" name="public_key" rows="9" cols="66" required>${escapeHtml(c.publicKeyPem)}</textarea></p>
      <p><button type="submit">Save</button></p>
    </form>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Application Links – fake Bitbucket Server</title></head>
<body><main><h1>Application Links: Incoming Authentication</h1>
<p>Fake Bitbucket Server (test sandbox). After rotating gitlink's signing key, paste the new public key here, then confirm it in gitlink.</p>
${forms.join('\n') || '<p>No application links.</p>'}
</main></body></html>`;
}

function parseFingerprint(text: string): string {
  const parsed = parseSshKey(text);
  if (!parsed) throw new Error('not an SSH public key');
  return parsed.fingerprintSha256;
}
