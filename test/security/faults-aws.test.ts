/**
 * Issue 10, fault injection, AWS side: the local server's AWS clients (KMS, Secrets Manager,
 * DynamoDB: GITLINK_CRYPTO=aws; EventBridge: EVENT_BUS_NAME) talk to moto_server through the fault layer
 * (test/support/faults/proxy.ts), which answers throttling errors or hangs on the wire.
 *
 * The policy under test (docs/FAULTS.md): every AWS call makes at most 3 attempts, each cut
 * after AWS_REQUEST_TIMEOUT_MS; then the request ends `503 backend_unavailable` (a browser
 * route: `?error=backend_unavailable`), and nothing half-done is left behind. Events are the
 * exception: a PutEvents that keeps failing is logged and counted, and the request succeeds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setLogSink } from '@shared/log';
import { setMetricSink } from '@shared/metrics/emf';
import { LinkStore } from '@shared/store/links';
import { Table } from '@shared/store/table';
import type { LocalStack } from '../../local/app';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { credentials, region, reportSkipped } from '../support/targets';
import { action, awsError, dynamoThroughput, kmsThrottling, motoWorld } from '../support/faults/aws';
import { expectCleanFailure, FAULT_WORDS } from '../support/faults/expect';
import { FaultProxy, type Seen } from '../support/faults/proxy';

/** The documented policy (docs/FAULTS.md), written here, not read from the code. */
const AWS_ATTEMPTS_PER_CALL = 3;
// Short for speed, long enough that a moto busy with the whole suite still answers in time.
const AWS_REQUEST_TIMEOUT_MS = 2_000;
/** The refresh lease is this + 2 s: long enough that a killed function's lease is still live when the next fetch comes. */
const PROVIDER_TIMEOUT_MS = 5_000;

const moto = process.env.MOTO_ENDPOINT;
if (!moto) reportSkipped([{ name: 'AWS fault injection', reason: process.env.MOTO_SKIP_REASON ?? 'moto_server was not started' }]);
const describeMoto = moto ? describe : describe.skip;

describeMoto('AWS faults through the fault layer', () => {
  let proxy: FaultProxy;
  let stack: LocalStack;
  let gl: FakeGitLab;
  let links: LinkStore;
  let admin: Browser;
  const providerId = `gl-${Date.now().toString(36)}`;

  beforeAll(async () => {
    proxy = await FaultProxy.start(moto!);
    const world = await motoWorld(moto!, proxy.url);
    links = new LinkStore(new Table({ tableName: world.tableName, client: new DynamoDBClient({ endpoint: moto, region, credentials }) }));
    stack = await startTestStack({
      env: { ...world.env, AWS_REQUEST_TIMEOUT_MS: String(AWS_REQUEST_TIMEOUT_MS), SECRETS_CACHE_MS: '0', PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS) },
    });
    gl = await startFakeGitLab();
    admin = await Browser.signIn(stack, 'root', true);
    await addProvider(admin, { id: providerId, type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  }, 30_000);
  afterAll(async () => {
    await gl?.close();
    await stack?.close();
    await proxy?.close();
  });
  afterEach(() => proxy.clear());

  /** When GitLab last received a refresh (its own clock, not ours). */
  const lastRefreshAt = () => gl.requests.filter((q) => q.path === '/oauth/token' && q.body.includes('grant_type=refresh_token')).at(-1)!.at;
  const ask = (token: string) => askCredential(stack, token, { protocol: 'http', host: gitHost(gl.url) });

  /** A developer linked to the fake GitLab as `account`, with an environment token. */
  async function linked(user: string, account: string) {
    const dev = await Browser.signIn(stack, user);
    gl.behavior.nextUser = account;
    await link(dev, providerId);
    return { dev, token: await newEnvToken(dev) };
  }

  test('KMS throttling on the credential fetch: 3 Decrypt attempts, 503 backend_unavailable, the link untouched and served once KMS recovers', async () => {
    const { token } = await linked('kms-dev', 'kmsacct');
    const before = await links.get('kms-dev', providerId);
    const decrypts = proxy.inject({ name: 'kms-throttle', match: action('kms:Decrypt'), fault: kmsThrottling });

    const answer = await ask(token);
    expectCleanFailure(answer, { status: 503, code: 'backend_unavailable' });
    expect(decrypts.hits()).toBeGreaterThanOrEqual(2); // the SDK retried...
    expect(decrypts.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL); // ...a bounded number of times
    expect(await links.get('kms-dev', providerId)).toEqual(before);

    proxy.clear();
    const again = await ask(token);
    expect(again.status).toBe(200);
    expect(gl.liveTokensOf('kmsacct').map((t) => t.accessToken)).toContain(again.json.password);
  });

  test('KMS throttling while the callback stores the link: ?error=backend_unavailable, no link record, no key uploaded, the grant revoked', async () => {
    const dev = await Browser.signIn(stack, 'kms-link');
    gl.behavior.nextUser = 'kmslink';
    const start = await dev.api('POST', `/v1/links/${providerId}`);
    expect(start.status).toBe(200);
    const encrypts = proxy.inject({ name: 'kms-encrypt', match: action('kms:Encrypt'), fault: kmsThrottling });

    const end = await dev.navigate(start.json.authorizeUrl);
    const landed = new URL(end.url);
    expect([landed.searchParams.get('error'), landed.searchParams.get('linked')]).toEqual(['backend_unavailable', null]);
    expect(encrypts.hits()).toBeGreaterThanOrEqual(1);
    // Two Encrypt calls side by side (the access and the refresh token), each bounded.
    expect(encrypts.hits()).toBeLessThanOrEqual(2 * AWS_ATTEMPTS_PER_CALL);
    expect(await links.get('kms-link', providerId)).toBeUndefined();
    expect(gl.keysOf('kmslink')).toEqual([]);
    expect(gl.liveTokensOf('kmslink')).toEqual([]); // the tokens the code yielded were revoked
  });

  test('DynamoDB ProvisionedThroughputExceededException on the credential read: 3 attempts, 503, then served', async () => {
    const { token } = await linked('ddb-dev', 'ddbacct');
    const reads = proxy.inject({ name: 'ddb-throttle', match: action('dynamodb:BatchGetItem'), fault: dynamoThroughput });

    const answer = await ask(token);
    expectCleanFailure(answer, { status: 503, code: 'backend_unavailable' });
    expect(reads.hits()).toBeGreaterThanOrEqual(2);
    expect(reads.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL);

    proxy.clear();
    expect((await ask(token)).status).toBe(200);
  });

  test('DynamoDB throttling the link save in the callback: ?error=backend_unavailable, no link record, the grant revoked', async () => {
    const dev = await Browser.signIn(stack, 'ddb-link');
    gl.behavior.nextUser = 'ddblink';
    const start = await dev.api('POST', `/v1/links/${providerId}`);
    const writes = proxy.inject({
      name: 'ddb-link-write',
      match: (r) => /^dynamodb:(PutItem|UpdateItem)$/.test(r.action ?? '') && r.body.includes('LINK#'),
      fault: dynamoThroughput,
    });

    const end = await dev.navigate(start.json.authorizeUrl);
    expect(new URL(end.url).searchParams.get('error')).toBe('backend_unavailable');
    expect(writes.hits()).toBeGreaterThanOrEqual(1);
    expect(writes.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL);
    expect(await links.get('ddb-link', providerId)).toBeUndefined();
    expect(gl.keysOf('ddblink')).toEqual([]);
    expect(gl.liveTokensOf('ddblink')).toEqual([]);
  });

  test('Secrets Manager hangs while a refresh needs the client secret: each attempt cut at the timeout, 503, the link still usable', async () => {
    gl.behavior.accessTokenTtlSeconds = 60; // inside the 5-minute refresh window: every fetch refreshes
    const { token } = await linked('sm-dev', 'smacct');
    gl.behavior.accessTokenTtlSeconds = 7200;
    const before = await links.get('sm-dev', providerId);
    const reads = proxy.inject({ name: 'sm-hang', match: action('secretsmanager:GetSecretValue'), fault: { kind: 'hang' } });
    gl.behavior.refreshCalls = 0;

    const started = Date.now();
    const answer = await ask(token);
    const took = Date.now() - started;
    expectCleanFailure(answer, { status: 503, code: 'backend_unavailable' });
    expect(reads.hits()).toBeGreaterThanOrEqual(2);
    expect(reads.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL);
    // Each attempt waited its timeout: the hang was cut, not waited out (plus the SDK's backoff).
    expect(took).toBeGreaterThanOrEqual(reads.hits() * AWS_REQUEST_TIMEOUT_MS);
    expect(took).toBeLessThan(15_000); // cut, not waited out
    expect(gl.behavior.refreshCalls).toBe(0); // no secret, no refresh: the refresh token is not spent
    // The lease is released and nothing else changed: the old record is as it was.
    const after = await links.get('sm-dev', providerId);
    expect({ ...after, version: 0, refreshLeaseUntil: undefined }).toEqual({ ...before, version: 0, refreshLeaseUntil: undefined });
    expect(after!.refreshLeaseUntil).toBeUndefined();

    proxy.clear();
    const again = await ask(token);
    expect(again.status).toBe(200);
    expect(gl.behavior.refreshCalls).toBe(1);
  });

  test('a Lambda killed between the rotation and the save: the next fetch waits out the lease, retries, and answers a clean 409 relink_required, once', async () => {
    gl.behavior.accessTokenTtlSeconds = 60; // inside the refresh window: the fetch refreshes
    const { token } = await linked('kill-dev', 'killacct');
    gl.behavior.accessTokenTtlSeconds = 7200;
    const before = (await links.get('kill-dev', providerId))!;
    const calls = gl.behavior.refreshCalls;
    // The function "dies" at the save of the rotated tokens: from then on none of its writes land.
    let dead = false;
    proxy.inject({
      name: 'killed',
      match: (r) => {
        if (r.action === 'dynamodb:UpdateItem' && r.body.includes('accessTokenCt')) dead = true;
        return dead && /^dynamodb:(UpdateItem|PutItem|DeleteItem)$/.test(r.action ?? '') && r.body.includes('LINK#');
      },
      // Refused at once, so the dead function's own retries end well inside its lease (a hang would
      // outlast it; a reset works in Lambda, but under jest Node's socket error comes from another
      // realm and the SDK wraps it as a plain Error).
      fault: dynamoThroughput,
    });

    const first = await ask(token);
    // In Lambda the client would see API Gateway's error; here the request lives to answer, cleanly.
    expectCleanFailure(first, { status: 503, code: 'backend_unavailable' });
    expect(gl.behavior.refreshCalls - calls).toBe(1); // GitLab rotated: the stored refresh token is spent
    const stuck = (await links.get('kill-dev', providerId))!;
    expect([stuck.accessTokenCt, stuck.refreshTokenCt]).toEqual([before.accessTokenCt, before.refreshTokenCt]);
    expect(stuck.refreshLeaseUntil).toBeDefined(); // the dead function's lease stays

    proxy.clear(); // a new container
    const second = await ask(token);
    expect(lastRefreshAt()).toBeGreaterThanOrEqual(stuck.refreshLeaseUntil!); // it waited for the lease to expire
    expect([second.status, second.json.error.code, second.json.error.reason]).toEqual([409, 'relink_required', 'invalid_grant']);
    expect(gl.behavior.refreshCalls - calls).toBe(2); // one retry with the spent token, refused

    const third = await ask(token);
    expect([third.status, third.json.error.code]).toEqual([409, 'relink_required']);
    expect(gl.behavior.refreshCalls - calls).toBe(2); // no crash loop: GitLab is not asked again
  });

  test('a Lambda killed after taking the lease, before calling the provider: the next fetch waits out the lease and serves a fresh token', async () => {
    gl.behavior.accessTokenTtlSeconds = 60;
    const { token } = await linked('kill-early', 'killearly');
    gl.behavior.accessTokenTtlSeconds = 7200;
    const calls = gl.behavior.refreshCalls;
    // The lease is taken (that write lands), then the function is gone: none of its later AWS calls are answered.
    // Refused at once (as above), so its retries end inside the lease.
    let lease: Seen | undefined;
    const afterLease = (service: string) => (r: Seen) => {
      if (!lease && r.action === 'dynamodb:UpdateItem' && r.body.includes('"#s0":"refreshLeaseUntil"')) lease = r;
      // The link's own calls (its lease, its refresh token): the environment token's bookkeeping may pass.
      return !!lease && r !== lease && !!r.action?.startsWith(`${service}:`) && (service === 'kms' || r.body.includes('LINK#'));
    };
    proxy.inject({ name: 'killed-early-kms', match: afterLease('kms'), fault: kmsThrottling });
    proxy.inject({ name: 'killed-early-ddb', match: afterLease('dynamodb'), fault: dynamoThroughput });

    const first = await ask(token);
    expectCleanFailure(first, { status: 503, code: 'backend_unavailable' });
    expect(gl.behavior.refreshCalls - calls).toBe(0); // the refresh token was never spent
    const stuck = (await links.get('kill-early', providerId))!;
    expect(stuck.refreshLeaseUntil).toBeDefined();

    proxy.clear();
    const second = await ask(token);
    expect(second.status).toBe(200);
    expect(lastRefreshAt()).toBeGreaterThanOrEqual(stuck.refreshLeaseUntil!);
    expect(gl.behavior.refreshCalls - calls).toBe(1);
    expect(gl.liveTokensOf('killearly').map((t) => t.accessToken)).toEqual([second.json.password]);
  });

  test('KMS throttled during unlink: 200, the link gone, the report says both steps were left at the provider', async () => {
    const { dev } = await linked('kms-unlink', 'kmsunlink');
    expect(gl.keysOf('kmsunlink')).toHaveLength(1);
    proxy.inject({ name: 'kms-unlink', match: action('kms:Decrypt'), fault: kmsThrottling });

    const out = await dev.api('DELETE', `/v1/links/${providerId}`);
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ sshKey: 'failed', token: 'failed', link: 'deleted' });
    expect(out.json.errors.sshKey).toMatch(/removed nothing at the provider/);
    for (const w of FAULT_WORDS) expect(JSON.stringify(out.json)).not.toContain(w);
    expect(await links.get('kms-unlink', providerId)).toBeUndefined();
    expect(gl.keysOf('kmsunlink')).toHaveLength(1); // as reported: still there
  });

  test('an AWS 500 (KMSInternalException) is a 503 too, and none of the SDK words reach the answer', async () => {
    const { token } = await linked('kms500-dev', 'kms500acct');
    proxy.inject({ name: 'kms-500', match: action('kms:Decrypt'), fault: awsError('KMSInternalException', 500, 'injected by the fault layer') });
    const answer = await ask(token);
    expectCleanFailure(answer, { status: 503, code: 'backend_unavailable' });
    expect(FAULT_WORDS.some((w) => answer.text.includes(w))).toBe(false);
  });
  describe('EventBridge PutEvents failing: the operation succeeds, the event is logged, counted and lost from the bus', () => {
    let logs: Array<{ level: string; message: string; fields: unknown }>;
    let metrics: string[];
    beforeEach(() => {
      logs = [];
      metrics = [];
      setLogSink((level, message, fields) => logs.push({ level, message, fields }));
      setMetricSink((line) => metrics.push(line));
    });
    afterEach(() => {
      setLogSink(undefined);
      setMetricSink(undefined);
    });
    const putEvents = action('events:PutEvents');
    const notPublished = () => logs.filter((l) => l.message === 'event not published');
    const publishFailures = () => metrics.map((m) => JSON.parse(m)).filter((m) => m.EventPublishFailed === 1).length;
    /** Every token GitLab ever issued this account, live or revoked: none may be in a log line. */
    const tokensOf = (account: string) => gl.liveTokensOf(account).flatMap((t) => [t.accessToken, t.refreshToken].filter(Boolean) as string[]);
    const expectNoTokensLogged = (secrets: string[]) => {
      const text = JSON.stringify(logs);
      expect(secrets.length).toBeGreaterThan(0);
      for (const t of secrets) expect(text).not.toContain(t);
    };

    test('throttled on the OAuth callback: the link is made (record, SSH key, live grant), 3 PutEvents at most', async () => {
      const dev = await Browser.signIn(stack, 'eb-link');
      gl.behavior.nextUser = 'eblink';
      const start = await dev.api('POST', `/v1/links/${providerId}`);
      const puts = proxy.inject({ name: 'eb-throttle', match: putEvents, fault: awsError('ThrottlingException', 400, 'Rate exceeded') });

      const end = await dev.navigate(start.json.authorizeUrl);
      const landed = new URL(end.url);
      expect([landed.searchParams.get('linked'), landed.searchParams.get('error')]).toEqual([providerId, null]);
      expect(puts.hits()).toBeGreaterThanOrEqual(2); // retried...
      expect(puts.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL); // ...bounded
      expect(await links.get('eb-link', providerId)).toBeDefined();
      expect(gl.keysOf('eblink')).toHaveLength(1);
      expect(gl.liveTokensOf('eblink')).toHaveLength(1);
      expect(notPublished().map((l) => (l.fields as { eventType: string }).eventType)).toEqual(['link.created']);
      expect(publishFailures()).toBe(1);
      expectNoTokensLogged(tokensOf('eblink'));
    });

    test('an EventBridge 500 on unlink: 200, the key deleted, the grant revoked, the link gone', async () => {
      const { dev } = await linked('eb-unlink', 'ebunlink');
      const secrets = tokensOf('ebunlink');
      // Unfaulted, the link's event went through the same path and reached moto.
      expect(proxy.count((r) => putEvents(r) && !r.rule)).toBeGreaterThanOrEqual(1);
      expect(publishFailures()).toBe(0);
      const puts = proxy.inject({ name: 'eb-500', match: putEvents, fault: awsError('InternalException', 500, 'injected by the fault layer') });

      const out = await dev.api('DELETE', `/v1/links/${providerId}`);
      expect(out.status).toBe(200);
      expect(out.json).toMatchObject({ sshKey: 'ok', token: 'ok', link: 'deleted' });
      for (const w of FAULT_WORDS) expect(JSON.stringify(out.json)).not.toContain(w);
      expect(puts.hits()).toBeGreaterThanOrEqual(2);
      expect(puts.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL);
      expect(await links.get('eb-unlink', providerId)).toBeUndefined();
      expect(gl.keysOf('ebunlink')).toEqual([]);
      expect(gl.liveTokensOf('ebunlink')).toEqual([]);
      expect(notPublished().map((l) => (l.fields as { eventType: string }).eventType)).toEqual(['link.removed']);
      expect(publishFailures()).toBe(1);
      expectNoTokensLogged(secrets);
    });

    test('PutEvents hangs during a refresh: each attempt cut at the timeout, the fresh token served and saved', async () => {
      gl.behavior.accessTokenTtlSeconds = 60; // inside the refresh window: the fetch refreshes
      const { token } = await linked('eb-refresh', 'ebrefresh');
      gl.behavior.accessTokenTtlSeconds = 7200;
      const before = (await links.get('eb-refresh', providerId))!;
      const calls = gl.behavior.refreshCalls;
      const puts = proxy.inject({ name: 'eb-hang', match: putEvents, fault: { kind: 'hang' } });

      const started = Date.now();
      const answer = await ask(token);
      const took = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(gl.behavior.refreshCalls - calls).toBe(1);
      expect(gl.liveTokensOf('ebrefresh').map((t) => t.accessToken)).toEqual([answer.json.password]);
      const after = (await links.get('eb-refresh', providerId))!;
      expect(after.accessTokenCt).not.toEqual(before.accessTokenCt); // the rotated tokens were saved
      expect(after.refreshLeaseUntil).toBeUndefined();
      expect(puts.hits()).toBeGreaterThanOrEqual(2);
      expect(puts.hits()).toBeLessThanOrEqual(AWS_ATTEMPTS_PER_CALL);
      expect(took).toBeGreaterThanOrEqual(puts.hits() * AWS_REQUEST_TIMEOUT_MS); // the hang was waited for, per attempt...
      expect(took).toBeLessThan(15_000); // ...and cut
      expect(notPublished().map((l) => (l.fields as { eventType: string }).eventType)).toEqual(['token.refreshed']);
      expect(publishFailures()).toBe(1);
      expectNoTokensLogged(tokensOf('ebrefresh'));

      proxy.clear();
      expect((await ask(token)).status).toBe(200); // nothing left stuck
    }, 30_000);
  });
});
