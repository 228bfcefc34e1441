/**
 * The lure attacks of issue 10 (attacks 1 and 2), reproduced literally against the
 * local server and the fake providers. Mallory starts two links and keeps the
 * binding cookie of the first; Dave approves the second authorize URL; Dave's
 * browser is refused (no cookie), but his callback URL leaks; Mallory replays it
 * under her first attempt. She must end up linked to nobody.
 */
import type { LocalStack } from '../../local/app';
import { bindingCookieName } from '@shared/links/browser-binding';
import { startFakeBitbucketCloud, type FakeBitbucketCloud } from '../providers/bitbucket-cloud';
import { startFakeBitbucketServer, type FakeBitbucketServer } from '../providers/bitbucket-server';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let bbs: FakeBitbucketServer;
let ghes: FakeGitHub;
let cloud: FakeBitbucketCloud;

beforeAll(async () => {
  stack = await startTestStack();
  [bbs, ghes, cloud] = await Promise.all([
    startFakeBitbucketServer(),
    startFakeGitHub({ enterprise: true, callbackUrl: `${stack.url}/oauth/callback` }),
    startFakeBitbucketCloud({ callbackUrl: stack.url }),
  ]);
  const admin = await Browser.signIn(stack, 'root', true);
  const res = await admin.api('POST', '/v1/admin/providers', { id: 'bbs', type: 'bitbucket-server', baseUrl: bbs.url });
  expect(res.status).toBe(201);
  bbs.registerConsumer({ key: res.json.consumerKey, name: res.json.consumerName, publicKeyPem: res.json.publicKeyPem });
  // The defaults under attack: PKCE off for GitHub Enterprise Server and for Bitbucket Cloud.
  const made = await Promise.all([
    admin.api('POST', '/v1/admin/providers', { id: 'ghes', type: 'github', baseUrl: ghes.url, apiUrl: ghes.apiUrl, clientId: ghes.clientId, clientSecret: ghes.clientSecret }),
    admin.api('POST', '/v1/admin/providers', { id: 'bbc', type: 'bitbucket-cloud', baseUrl: cloud.url, apiUrl: cloud.apiUrl, clientId: cloud.clientId, clientSecret: cloud.clientSecret }),
  ]);
  for (const m of made) {
    expect(m.status).toBe(201);
    expect(m.json.pkce).toBe(false);
  }
});
afterAll(async () => {
  await Promise.all([bbs?.close(), ghes?.close(), cloud?.close()]);
  await stack?.close();
});

const linksOf = async (b: Browser) => (await b.api('GET', '/v1/links')).json.links as unknown[];
/** Where a provider's approval sends the browser, without following it. */
async function approve(authorizeUrl: string): Promise<URL> {
  const r = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(r.status).toBe(302);
  return new URL(r.headers.get('location')!);
}
const errorOf = async (b: Browser, url: string) => new URL((await b.navigate(url)).url).searchParams.get('error');

/** Mallory's two attempts: the first's cookie kept, the second's authorize URL sent to Dave. */
async function twoAttempts(mallory: Browser, providerId: string) {
  const first = await mallory.api('POST', `/v1/links/${providerId}`);
  const firstCookie = mallory.jar.get(bindingCookieName(providerId))!;
  const second = await mallory.api('POST', `/v1/links/${providerId}`);
  expect([first.status, second.status]).toEqual([200, 200]);
  mallory.jar.set(bindingCookieName(providerId), firstCookie);
  return { first: new URL(first.json.authorizeUrl), second: second.json.authorizeUrl as string };
}

describe('attack 1: OAuth 1.0a callback token swap (Bitbucket Server)', () => {
  test("Mallory replaying Dave's oauth_token under her first request token links nobody", async () => {
    bbs.addUser('dave');
    const mallory = await Browser.signIn(stack, 'mallory-1');
    const daveBrowser = await Browser.signIn(stack, 'dave-1');
    const { first, second } = await twoAttempts(mallory, 'bbs');
    bbs.behavior.nextUser = 'dave';
    const leaked = await approve(second);
    expect(await errorOf(daveBrowser, leaked.toString())).toBe('browser_mismatch');

    const replay = new URL(`${stack.url}/oauth/callback`);
    replay.searchParams.set('state', first.searchParams.get('oauth_token')!);
    replay.searchParams.set('oauth_token', leaked.searchParams.get('oauth_token')!);
    replay.searchParams.set('oauth_verifier', leaked.searchParams.get('oauth_verifier')!);
    expect(await errorOf(mallory, replay.toString())).toBe('invalid_request');
    expect(await linksOf(mallory)).toEqual([]);
    // Nothing of Mallory's reached Dave's account, and no access token was issued for Dave.
    expect(bbs.keysOf('dave')).toEqual([]);
    expect([...bbs.accessTokens.values()].filter((t) => t.username === 'dave')).toEqual([]);
  });

  test('state and oauth_token that disagree are refused before anything is exchanged', async () => {
    const mallory = await Browser.signIn(stack, 'mallory-2');
    const { first, second } = await twoAttempts(mallory, 'bbs');
    bbs.behavior.nextUser = 'mallory';
    const own = await approve(second);
    const before = bbs.requests.length;
    const mixed = new URL(own);
    mixed.searchParams.set('state', first.searchParams.get('oauth_token')!);
    expect(await errorOf(mallory, mixed.toString())).toBe('invalid_request');
    expect(bbs.requests.slice(before).map((r) => r.path)).not.toContain('/plugins/servlet/oauth/access-token');
  });
});

describe('attack 2: authorization-code replay where PKCE is off', () => {
  /** Dave approves Mallory's second attempt; his browser is refused; Mallory replays his code under her first state. */
  async function lure(providerId: string, mallory: Browser, dave: Browser) {
    const { first, second } = await twoAttempts(mallory, providerId);
    const leaked = await approve(second);
    const code = leaked.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(await errorOf(dave, leaked.toString())).toBe('browser_mismatch');
    const replay = new URL(`${stack.url}/oauth/callback`);
    replay.searchParams.set('code', code);
    replay.searchParams.set('state', first.searchParams.get('state')!);
    return { code, error: await errorOf(mallory, replay.toString()) };
  }

  test("GitHub Enterprise Server: the refused callback's code is redeemed and its token revoked; Dave's own link survives", async () => {
    ghes.addUser('dave');
    const dave = await Browser.signIn(stack, 'dave-ghes');
    // Dave is already linked through gitlink: burning the lured code must not cut that link.
    ghes.behavior.nextUser = 'dave';
    expect(new URL((await dave.navigate((await dave.api('POST', '/v1/links/ghes')).json.authorizeUrl)).url).searchParams.get('linked')).toBe('ghes');
    const [ownToken] = ghes.liveTokensOf('dave');
    expect(ghes.liveTokensOf('dave')).toHaveLength(1);

    const mallory = await Browser.signIn(stack, 'mallory-ghes');
    const { error } = await lure('ghes', mallory, dave);
    expect(error).toBe('exchange_failed');
    expect(await linksOf(mallory)).toEqual([]);
    // No token of Dave's is live but the one his own link holds.
    expect(ghes.liveTokensOf('dave').map((t) => t.value)).toEqual([ownToken!.value]);
    expect((await linksOf(dave)).length).toBe(1);
  });

  test('Bitbucket Cloud: the refused callback\'s code is redeemed at once, so the replay links nobody', async () => {
    cloud.addUser('dave');
    cloud.behavior.nextUser = 'dave';
    const mallory = await Browser.signIn(stack, 'mallory-bbc');
    const dave = await Browser.signIn(stack, 'dave-bbc');
    const { error } = await lure('bbc', mallory, dave);
    expect(error).toBe('exchange_failed');
    expect(await linksOf(mallory)).toEqual([]);
    expect(cloud.keysOf('dave')).toEqual([]);
  });
});

describe('a refused callback leaves no live token behind', () => {
  test('account_mismatch: the tokens of the other account are revoked at once', async () => {
    ghes.addUser('erin');
    ghes.addUser('erin-alt');
    const erin = await Browser.signIn(stack, 'erin');
    ghes.behavior.nextUser = 'erin';
    expect(new URL((await erin.navigate((await erin.api('POST', '/v1/links/ghes')).json.authorizeUrl)).url).searchParams.get('linked')).toBe('ghes');
    ghes.behavior.nextUser = 'erin-alt';
    expect(await errorOf(erin, (await erin.api('POST', '/v1/links/ghes')).json.authorizeUrl)).toBe('account_mismatch');
    expect(ghes.liveTokensOf('erin-alt')).toEqual([]);
    expect(ghes.liveTokensOf('erin')).toHaveLength(1);
  });
});
