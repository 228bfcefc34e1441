/**
 * The hot path, `POST /v1/git/credential`, against moto, handler in-process:
 * - warm and cold latency, interleaved with the floor: the raw SDK calls the
 *   request cannot avoid (one BatchGetItem warm; plus one Decrypt cold);
 * - 1,000 fetches with 100 in flight over 10 containers (processes), one link just expired:
 *   errors, refresh calls at the provider, answers naming the wrong user.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { credentials, region } from '../../support/targets';
import { tokenContext } from '@shared/credentials/tokens';
import { linkKey } from '@shared/store/links';
import { envTokenKey } from '@shared/store/env-tokens';
import { coldContainer, invoke } from '../lambda';
import type { Answer, Job } from '../concurrency-worker';
import { credentialRequest, startWorld, type World } from '../world';
import { noCalls, type Calls } from '../aws-calls';
import { ms, pct, ratio, round, type CaseOutput } from '../report';

const PROVIDER = 'gl';
const USERS = 10;
const WARM = 200;
const COLD = 20;

interface Dev {
  userId: string;
  token: string;
  tokenId: string;
}

/** The floor: the same keys read (and the same ciphertext decrypted) with bare SDK clients. */
function floor(world: World, dev: Dev) {
  const clients = () => ({
    ddb: new DynamoDBClient({ endpoint: world.moto.endpoint, region, credentials }),
    kms: new KMSClient({ endpoint: world.moto.endpoint, region, credentials }),
  });
  const keys = [envTokenKey(dev.userId, dev.tokenId), linkKey(dev.userId, PROVIDER)].map((k) => ({ pk: { S: k.pk }, sk: { S: k.sk } }));
  const batchGet = (c: ReturnType<typeof clients>) => c.ddb.send(new BatchGetItemCommand({ RequestItems: { 'gitlink-bench': { Keys: keys } } }));
  const warm = clients();
  return {
    warm: () => batchGet(warm),
    /** Fresh clients, as in a new container: BatchGetItem, then Decrypt of the link's access token. */
    cold: async () => {
      const c = clients();
      const out = await batchGet(c);
      const link = out.Responses!['gitlink-bench']!.find((i) => i.sk!.S!.startsWith('LINK#'))!;
      await c.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(link.accessTokenCt!.S!, 'base64'), EncryptionContext: tokenContext(dev.userId, PROVIDER, 'accessToken') }));
      c.ddb.destroy();
      c.kms.destroy();
    },
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function expectOk(p: ReturnType<typeof invoke>) {
  const res = await p;
  if (res.statusCode !== 200) throw new Error(`credential: ${res.statusCode} ${res.body}`);
  return res;
}

const FETCHES = 1000;
const IN_FLIGHT = 100;
const CONTAINERS = 10;

/**
 * 1,000 fetches, 100 in flight, spread over 10 containers, each its own process
 * (test/bench/concurrency-worker.ts) as Lambda containers are. Every other
 * fetch is bench0's, whose link has just expired; the rest go round the other
 * developers. Each answer is checked at the provider: whose token it is, and
 * whether it was still live.
 */
async function concurrent(world: World, devs: Dev[]) {
  const expired = devs[0]!;
  const jobs = Array.from({ length: FETCHES }, (_, i) => (i % 2 === 0 ? expired : devs[1 + ((i >> 1) % (USERS - 1))]!)).map((d) => ({ userId: d.userId, token: d.token }));
  const workers = Array.from({ length: CONTAINERS }, (_, w) => {
    const job: Job = { jobs: jobs.filter((_, i) => i % CONTAINERS === w), inFlight: IN_FLIGHT / CONTAINERS, host: world.gitHost };
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'concurrency-worker.ts')], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.startsWith('ready\n') && resolve()));
    const done = new Promise<{ answers: Answer[]; calls: Calls }>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as { answers: Answer[]; calls: Calls }) : reject(new Error(`worker exited ${code}`)))),
    );
    return { child, ready, done };
  });
  await Promise.all(workers.map((w) => w.ready));
  const item = await world.table.get(linkKey(expired.userId, PROVIDER));
  await world.table.put({ ...item!, expiresAt: Date.now() - 1000 });
  const before = world.gl.behavior.refreshCalls;
  const t0 = performance.now();
  for (const w of workers) w.child.stdin.end('go\n');
  const outs = await Promise.all(workers.map((w) => w.done));
  const answers = outs.flatMap((o) => o.answers);
  const calls = outs.reduce((sum, o) => ({ dynamodb: sum.dynamodb + o.calls.dynamodb, kms: sum.kms + o.calls.kms, secretsmanager: sum.secretsmanager + o.calls.secretsmanager }), noCalls());
  const seconds = (performance.now() - t0) / 1000;
  const errorCodes: Record<string, number> = {};
  let wrongUser = 0;
  let staleAnswers = 0;
  for (const a of answers) {
    if (a.status !== 200) {
      const k = `${a.status} ${a.code ?? ''}`.trim();
      errorCodes[k] = (errorCodes[k] ?? 0) + 1;
      continue;
    }
    const token = world.gl.tokens.get(a.password!);
    if (token?.username !== a.userId) wrongUser++;
    else if (token.revoked || token.expiresAt <= Date.now()) staleAnswers++;
  }
  return {
    fetches: answers.length,
    inFlight: IN_FLIGHT,
    errors: answers.length - answers.filter((a) => a.status === 200).length,
    errorCodes,
    refreshCalls: world.gl.behavior.refreshCalls - before,
    wrongUser,
    staleAnswers,
    perSecond: Math.round(answers.length / seconds),
    /** AWS calls of the whole run, and the share of fetches answered without a KMS Decrypt (docs/COST.md uses it). */
    awsCalls: calls,
    cacheHitRate: round(1 - calls.kms / answers.length, 3),
  };
}

export async function run(): Promise<CaseOutput> {
  const world = await startWorld();
  await world.addProvider(PROVIDER);
  const devs: Dev[] = [];
  for (let i = 0; i < USERS; i++) {
    const userId = `bench${i}`;
    await world.link(userId, PROVIDER);
    const t = await world.envToken(userId);
    devs.push({ userId, token: t.token, tokenId: t.id });
  }
  const dev = devs[1]!;
  const ask = credentialRequest(dev.token, world.gitHost);
  const f = floor(world, dev);

  // Warm: one container, primed; handler and floor alternate.
  const h = coldContainer('git-credential');
  await expectOk(invoke(h, ask));
  await f.warm();
  const warm: number[] = [];
  const warmFloor: number[] = [];
  for (let i = 0; i < WARM; i++) {
    warm.push(await timed(() => expectOk(invoke(h, ask))));
    warmFloor.push(await timed(f.warm));
  }
  // Cold: a fresh container's first request (module load not included: see coldInit) against fresh floor clients.
  const cold: number[] = [];
  const coldFloor: number[] = [];
  for (let i = 0; i < COLD; i++) {
    const c = coldContainer('git-credential');
    cold.push(await timed(() => expectOk(invoke(c, ask))));
    coldFloor.push(await timed(f.cold));
  }

  const concurrency = await concurrent(world, devs);
  await world.close();

  const w = { p50Ms: pct(warm, 50), p99Ms: pct(warm, 99), floorP50Ms: pct(warmFloor, 50) };
  const c = { p50Ms: pct(cold, 50), floorP50Ms: pct(coldFloor, 50) };
  const warmRatio = ratio(w.p50Ms, w.floorP50Ms);
  const coldRatio = ratio(c.p50Ms, c.floorP50Ms);
  return {
    results: {
      credentialFetch: { warm: { ...w, ratio: warmRatio }, cold: { ...c, ratio: coldRatio } },
      concurrency,
    },
    rows: [
      { case: 'credential fetch warm p50 / floor', value: `${ms(w.p50Ms)} / ${ms(w.floorP50Ms)} = ${warmRatio}×`, target: '≤ 1.15×', met: warmRatio <= 1.15 },
      { case: 'credential fetch warm p99', value: ms(w.p99Ms) },
      { case: 'credential fetch cold p50 / floor', value: `${ms(c.p50Ms)} / ${ms(c.floorP50Ms)} = ${coldRatio}×` },
      {
        case: `${concurrency.fetches} fetches, ${concurrency.inFlight} in flight over ${CONTAINERS} containers, 1 link just expired`,
        value: `${concurrency.refreshCalls} refresh call(s), ${concurrency.errors} errors${Object.keys(concurrency.errorCodes).length ? ` ${JSON.stringify(concurrency.errorCodes)}` : ''}, ${concurrency.wrongUser} wrong user, ${concurrency.staleAnswers} stale, ${concurrency.perSecond}/s`,
        target: 'exactly 1 refresh, 0 errors, 0 wrong user',
        met: concurrency.refreshCalls === 1 && concurrency.errors === 0 && concurrency.wrongUser === 0,
      },
    ],
  };
}
