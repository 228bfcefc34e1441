/**
 * The hot path, `POST /v1/git/credential`, against moto, handler in-process:
 * - warm and cold latency, interleaved with the floor: the raw SDK calls the
 *   request cannot avoid (one BatchGetItem warm; plus one Decrypt cold);
 * - 1,000 fetches with 100 in flight over 10 containers, one link just expired:
 *   errors, refresh calls at the provider, answers naming the wrong user.
 */
import { performance } from 'node:perf_hooks';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { credentials, region } from '../../support/targets';
import { tokenContext } from '@shared/links/tokens';
import { linkKey } from '@shared/store/links';
import { envTokenKey } from '@shared/store/env-tokens';
import { coldContainer, invoke } from '../lambda';
import { credentialRequest, startWorld, type World } from '../world';
import { ms, pct, ratio, type CaseOutput } from '../report';

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

  // Concurrency: bench0's link has just expired; everyone else's is fresh.
  const expired = devs[0]!;
  const item = await world.table.get(linkKey(expired.userId, PROVIDER));
  await world.table.put({ ...item!, expiresAt: Date.now() - 1000 });
  const containers = Array.from({ length: 10 }, () => coldContainer('git-credential'));
  const before = world.gl.behavior.refreshCalls;
  let errors = 0;
  let wrongUser = 0;
  let staleAnswers = 0;
  let next = 0;
  const FETCHES = 1000;
  const IN_FLIGHT = 100;
  const worker = async () => {
    for (let i = next++; i < FETCHES; i = next++) {
      const d = i % 2 === 0 ? expired : devs[1 + ((i >> 1) % (USERS - 1))]!;
      const res = await invoke(containers[i % containers.length]!, credentialRequest(d.token, world.gitHost));
      if (res.statusCode !== 200) {
        errors++;
        continue;
      }
      const token = world.gl.tokens.get((JSON.parse(res.body!) as { password: string }).password);
      if (token?.username !== d.userId) wrongUser++;
      else if (token.revoked || token.expiresAt <= Date.now()) staleAnswers++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const refreshCalls = world.gl.behavior.refreshCalls - before;

  await world.close();

  const w = { p50Ms: pct(warm, 50), p99Ms: pct(warm, 99), floorP50Ms: pct(warmFloor, 50) };
  const c = { p50Ms: pct(cold, 50), floorP50Ms: pct(coldFloor, 50) };
  const warmRatio = ratio(w.p50Ms, w.floorP50Ms);
  const coldRatio = ratio(c.p50Ms, c.floorP50Ms);
  return {
    results: {
      credentialFetch: { warm: { ...w, ratio: warmRatio }, cold: { ...c, ratio: coldRatio } },
      concurrency: { fetches: FETCHES, inFlight: IN_FLIGHT, errors, refreshCalls, wrongUser, staleAnswers, perSecond: Math.round(FETCHES / seconds) },
    },
    rows: [
      { case: 'credential fetch warm p50 / floor', value: `${ms(w.p50Ms)} / ${ms(w.floorP50Ms)} = ${warmRatio}×`, target: '≤ 1.15×', met: warmRatio <= 1.15 },
      { case: 'credential fetch warm p99', value: ms(w.p99Ms) },
      { case: 'credential fetch cold p50 / floor', value: `${ms(c.p50Ms)} / ${ms(c.floorP50Ms)} = ${coldRatio}×` },
      { case: `${FETCHES} fetches, ${IN_FLIGHT} in flight, 1 link just expired`, value: `${refreshCalls} refresh call(s), ${errors} errors, ${wrongUser} wrong user, ${staleAnswers} stale, ${Math.round(FETCHES / seconds)}/s`, target: 'exactly 1 refresh, 0 errors, 0 wrong user', met: refreshCalls === 1 && errors === 0 && wrongUser === 0 },
    ],
  };
}
