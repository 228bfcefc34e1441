/**
 * Every provider type with its fake (test/providers/), for the per-type sweeps: how to
 * start the fake, the admin body that configures it, how to pick the account that
 * approves, and every token the fake ever issued (to look for in logs and answers).
 */
import { startFakeBitbucketCloud } from '../../providers/bitbucket-cloud';
import { startFakeBitbucketDc } from '../../providers/bitbucket-dc';
import { startFakeBitbucketServer } from '../../providers/bitbucket-server';
import { startFakeGitHub } from '../../providers/github';
import { startFakeGitLab } from '../../providers/gitlab';
import type { Behavior, RecordedRequest } from '../../providers/common';

export interface RunningFake {
  url: string;
  behavior: Behavior;
  requests: RecordedRequest[];
  /** Every token value issued so far (access, refresh, OAuth 1.0a token and secret). */
  issued(): string[];
  /** Issued tokens not revoked: what an attacker could still use. */
  live(): string[];
  clientSecret?: string;
  /** The SSH keys registered to an account at the fake. */
  keysOf(account: string): unknown[];
  /** Called with the admin answer (Bitbucket Server: paste the public key into the Application Link). */
  configured(answer: Record<string, any>): void;
  close(): Promise<void>;
}

export interface Kind {
  type: 'github' | 'gitlab' | 'bitbucket-server' | 'bitbucket-dc' | 'bitbucket-cloud';
  /** Serves git over HTTPS, so the credential route answers a token. */
  https: boolean;
  /** Access tokens expire and are refreshed. */
  refreshes: boolean;
  /**
   * The provider has a token revocation API. Without one (Bitbucket Cloud), a refused
   * PKCE-less callback that redeems its code to spend it leaves that token live at the
   * provider, held by nobody (gitlink discards it).
   */
  revokes: boolean;
  start(callbackUrl: string): Promise<RunningFake>;
  providerBody(fake: RunningFake, id: string): Record<string, unknown>;
}

const none = () => undefined;

export const kinds: Kind[] = [
  {
    type: 'github', https: true, refreshes: true, revokes: true,
    async start(callbackUrl) {
      const f = await startFakeGitHub({ callbackUrl, tokenExpiry: true });
      return { url: f.url, behavior: f.behavior, requests: f.requests, clientSecret: f.clientSecret, issued: () => [...f.tokens.keys()], live: () => [...f.tokens.values()].filter((t) => !t.revoked).map((t) => t.value), configured: none, close: f.close, keysOf: f.keysOf, apiUrl: f.apiUrl, clientId: f.clientId } as RunningFake;
    },
    providerBody: (f, id) => ({ id, type: 'github', baseUrl: f.url, apiUrl: (f as any).apiUrl, clientId: (f as any).clientId, clientSecret: f.clientSecret }),
  },
  {
    type: 'gitlab', https: true, refreshes: true, revokes: true,
    async start() {
      const f = await startFakeGitLab();
      return { url: f.url, behavior: f.behavior, requests: f.requests, clientSecret: f.clientSecret, issued: () => [...f.tokens.values()].flatMap((t) => [t.accessToken, t.refreshToken]), live: () => [...f.tokens.values()].filter((t) => t.revoked === null).map((t) => t.accessToken), configured: none, close: f.close, keysOf: f.keysOf, clientId: f.clientId } as RunningFake;
    },
    providerBody: (f, id) => ({ id, type: 'gitlab', baseUrl: f.url, clientId: (f as any).clientId, clientSecret: f.clientSecret }),
  },
  {
    type: 'bitbucket-server', https: false, refreshes: false, revokes: true,
    async start() {
      const f = await startFakeBitbucketServer();
      return {
        url: f.url, behavior: f.behavior, requests: f.requests,
        issued: () => [...f.accessTokens.values()].flatMap((t) => [t.token, t.secret]),
        live: () => [...f.accessTokens.values()].filter((t) => !t.revoked).map((t) => t.token),
        configured: (a) => f.registerConsumer({ key: a.consumerKey, name: a.consumerName, publicKeyPem: a.publicKeyPem }),
        close: f.close,
        keysOf: f.keysOf,
      };
    },
    providerBody: (f, id) => ({ id, type: 'bitbucket-server', baseUrl: f.url, consumerKey: `gitlink-${id}` }),
  },
  {
    type: 'bitbucket-dc', https: true, refreshes: true, revokes: true,
    async start() {
      const f = await startFakeBitbucketDc();
      return { url: f.url, behavior: f.behavior, requests: f.requests, clientSecret: f.clientSecret, issued: () => [...f.tokens.values()].flatMap((t) => [t.accessToken, t.refreshToken]), live: () => [...f.tokens.values()].filter((t) => !t.revoked).map((t) => t.accessToken), configured: none, close: f.close, keysOf: f.keysOf, clientId: f.clientId } as RunningFake;
    },
    providerBody: (f, id) => ({ id, type: 'bitbucket-dc', baseUrl: f.url, clientId: (f as any).clientId, clientSecret: f.clientSecret }),
  },
  {
    type: 'bitbucket-cloud', https: true, refreshes: true, revokes: false,
    async start() {
      const f = await startFakeBitbucketCloud({ callbackUrl: 'http://localhost' });
      return { url: f.url, behavior: f.behavior, requests: f.requests, clientSecret: f.clientSecret, issued: () => [...f.tokens.values()].flatMap((t) => [t.accessToken, t.refreshToken]), live: () => [...f.tokens.values()].filter((t) => !t.revoked).map((t) => t.accessToken), configured: none, close: f.close, keysOf: f.keysOf, clientId: f.clientId } as RunningFake;
    },
    providerBody: (f, id) => ({ id, type: 'bitbucket-cloud', baseUrl: f.url, clientId: (f as any).clientId, clientSecret: f.clientSecret }),
  },
];

const SECRET_PARAMS = ['code', 'code_verifier', 'refresh_token', 'client_secret', 'oauth_verifier', 'oauth_token', 'token', 'access_token', 'oauth_signature'];

/**
 * Every secret gitlink sent a fake: bearer and OAuth 1.0a tokens, Basic passwords (client
 * secrets), and the secret parameters of bodies and queries (codes, PKCE verifiers, refresh tokens).
 */
export function secretsSentTo(requests: RecordedRequest[]): string[] {
  const out = new Set<string>();
  for (const r of requests) {
    const auth = String(r.headers.authorization ?? '');
    const bearer = /^(?:Bearer|token)\s+(\S+)$/i.exec(auth)?.[1];
    if (bearer) out.add(bearer);
    const basic = /^Basic\s+(\S+)$/i.exec(auth)?.[1];
    if (basic) out.add(decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')));
    for (const m of auth.matchAll(/(oauth_token|oauth_verifier|oauth_signature)="([^"]+)"/g)) out.add(decodeURIComponent(m[2]!));
    const params = new URLSearchParams(r.body.startsWith('{') ? '' : r.body);
    for (const p of SECRET_PARAMS) {
      for (const v of [params.get(p), r.query[p]]) if (v) out.add(v);
    }
  }
  return [...out].filter((s) => s.length >= 8);
}
