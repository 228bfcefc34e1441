/**
 * The sandbox providers of test/providers/, one of each type, served over https (the
 * deployed stack runs in `aws` mode, where provider URLs must be https), and the admin
 * calls that configure them in a running stack.
 */
import { startFakeBitbucketCloud, type FakeBitbucketCloud } from '../providers/bitbucket-cloud';
import { startFakeBitbucketDc, type FakeBitbucketDc } from '../providers/bitbucket-dc';
import { startFakeBitbucketServer, type FakeBitbucketServer } from '../providers/bitbucket-server';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { link } from '../support/env';
import { Browser, type StackUnderTest } from '../support/local';
import type { TlsFiles } from './tls';

export interface World {
  gh: FakeGitHub;
  gl: FakeGitLab;
  bbs: FakeBitbucketServer;
  dc: FakeBitbucketDc;
  cloud: FakeBitbucketCloud;
  close(): Promise<void>;
}

export async function startWorld(tls: TlsFiles): Promise<World> {
  const [gh, gl, bbs, dc, cloud] = await Promise.all([
    startFakeGitHub({ tls }),
    startFakeGitLab({ tls }),
    startFakeBitbucketServer({ tls }),
    startFakeBitbucketDc({ tls }),
    startFakeBitbucketCloud({ tls }),
  ]);
  return { gh, gl, bbs, dc, cloud, close: async () => void (await Promise.all([gh, gl, bbs, dc, cloud].map((f) => f.close()))) };
}

/** The provider bodies an admin posts, one per type. */
export function providerBodies(w: World): Array<Record<string, unknown>> {
  return [
    { id: 'github', type: 'github', displayName: 'GitHub', baseUrl: w.gh.url, apiUrl: w.gh.apiUrl, clientId: w.gh.clientId, clientSecret: w.gh.clientSecret },
    { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: w.gl.url, clientId: w.gl.clientId, clientSecret: w.gl.clientSecret },
    { id: 'bbs', type: 'bitbucket-server', displayName: 'Bitbucket Server', baseUrl: w.bbs.url },
    { id: 'bbdc', type: 'bitbucket-dc', displayName: 'Bitbucket DC', baseUrl: w.dc.url, clientId: w.dc.clientId, clientSecret: w.dc.clientSecret },
    { id: 'bbc', type: 'bitbucket-cloud', displayName: 'Bitbucket Cloud', baseUrl: w.cloud.url, clientId: w.cloud.clientId, clientSecret: w.cloud.clientSecret },
  ];
}

/** Adds one provider; for Bitbucket Server also pastes the answer's public key into the fake's application link. */
export async function addProviderTo(admin: Browser, w: World, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const r = await admin.api('POST', '/v1/admin/providers', body);
  if (r.status === 201 && body.type === 'bitbucket-server') {
    w.bbs.registerConsumer({ key: r.json.consumerKey, name: r.json.consumerName, publicKeyPem: r.json.publicKeyPem });
  }
  return r;
}

/**
 * A new developer linked to GitLab as `glUser` with a token that expires in a minute:
 * inside gitlink's 5-minute refresh window, so the next use refreshes it first.
 */
export async function linkExpiringGitLab(stack: StackUnderTest, w: World, sub: string, glUser: string): Promise<Browser> {
  const dev = await Browser.signIn(stack, sub);
  const { nextUser, accessTokenTtlSeconds } = w.gl.behavior;
  w.gl.behavior.nextUser = glUser;
  w.gl.behavior.accessTokenTtlSeconds = 60;
  try {
    await link(dev, 'gitlab');
  } finally {
    Object.assign(w.gl.behavior, { nextUser, accessTokenTtlSeconds });
  }
  return dev;
}
