/**
 * Store contract: the one Table adapter against every DynamoDB we have:
 * dynalite (the embedded store), moto_server, and AWS_ENDPOINT_URL if given.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AlreadyConsumed, AlreadyExists, StaleVersion, Table } from '@shared/store/table';
import { startDynalite } from '../../local/dynalite';
import { awsTargets, credentials, region, reportSkipped, unique } from '../support/targets';

interface Target {
  name: string;
  setup(): Promise<{ endpoint: string; close(): Promise<void> }>;
}

const { run, skipped } = awsTargets();
const targets: Target[] = [
  { name: 'dynalite (embedded)', setup: () => startDynalite() },
  ...run.map((t) => ({ name: t.name, setup: async () => ({ endpoint: t.endpoint, close: async () => undefined }) })),
];

describe('store contract', () => {
  reportSkipped(skipped);

  describe.each(targets)('$name', (target) => {
    let backend: { endpoint: string; close(): Promise<void> };
    let table: Table;
    let clock = Math.floor(Date.now() / 1000);
    const client = () => new DynamoDBClient({ endpoint: backend.endpoint, region, credentials });

    beforeAll(async () => {
      backend = await target.setup();
      table = new Table({ tableName: unique('gitlink'), client: client(), now: () => clock });
      await table.ensureTable();
    });
    afterAll(async () => {
      table.raw.destroy();
      await backend.close();
    });

    test('put then get returns the item; absent keys are undefined', async () => {
      await table.put({ pk: 'A#1', sk: 'X', name: 'one', n: 1 });
      expect(await table.get({ pk: 'A#1', sk: 'X' })).toMatchObject({ name: 'one', n: 1 });
      expect(await table.get({ pk: 'A#1', sk: 'nope' })).toBeUndefined();
    });

    test('putNew refuses an existing item and reports it', async () => {
      await table.putNew({ pk: 'N#1', sk: 'X', v: 'first' });
      const err = await table.putNew({ pk: 'N#1', sk: 'X', v: 'second' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AlreadyExists);
      expect((await table.get({ pk: 'N#1', sk: 'X' }))?.v).toBe('first');
    });

    describe('state is single-use: conditional delete', () => {
      test('succeeds exactly once when 20 callers race', async () => {
        const key = { pk: `STATE#${unique('s')}`, sk: 'STATE' };
        await table.put({ ...key, userId: 'alice', ttl: clock + 600 });
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => table.consume(key)));
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        expect((won[0] as PromiseFulfilledResult<{ userId?: unknown }>).value.userId).toBe('alice');
        for (const r of results.filter((x) => x.status === 'rejected')) {
          expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyConsumed);
        }
        expect(await table.get(key)).toBeUndefined();
      });

      test('an unknown state cannot be consumed', async () => {
        await expect(table.consume({ pk: 'STATE#unknown', sk: 'STATE' })).rejects.toBeInstanceOf(AlreadyConsumed);
      });
    });

    describe('optimistic version updates', () => {
      test('a stale writer is refused and sees the current item', async () => {
        const key = { pk: `USER#${unique('u')}`, sk: 'LINK#gh' };
        const created = await table.putVersioned({ ...key, token: 'a' }, 0);
        expect(created.version).toBe(1);
        const updated = await table.updateVersioned<{ version: number; token: string } & typeof key>(key, 1, { token: 'b' });
        expect(updated).toMatchObject({ version: 2, token: 'b' });
        const stale = await table.updateVersioned(key, 1, { token: 'c' }).catch((e: unknown) => e);
        expect(stale).toBeInstanceOf(StaleVersion);
        expect((stale as StaleVersion).existing).toMatchObject({ version: 2, token: 'b' });
        await expect(table.putVersioned({ ...key, token: 'd' }, 1)).rejects.toBeInstanceOf(StaleVersion);
        await expect(table.putVersioned({ ...key, token: 'e' }, 0)).rejects.toBeInstanceOf(StaleVersion);
        expect((await table.get(key))?.token).toBe('b');
      });

      test('updateVersioned can remove attributes', async () => {
        const key = { pk: `USER#${unique('u')}`, sk: 'LINK#gl' };
        await table.putVersioned({ ...key, lease: 123, token: 'x' }, 0);
        const out = await table.updateVersioned(key, 1, { token: 'y' }, ['lease']);
        expect(out.lease).toBeUndefined();
        expect(out.token).toBe('y');
      });
    });

    describe('expiry is enforced on read (TTL deletion is lazy or absent)', () => {
      test('an item past its ttl is absent on get, query, batchGet and consume', async () => {
        const pk = `USER#${unique('t')}`;
        await table.put({ pk, sk: 'ENVTOKEN#old', ttl: clock - 1 });
        await table.put({ pk, sk: 'ENVTOKEN#new', ttl: clock + 100 });
        expect(await table.get({ pk, sk: 'ENVTOKEN#old' })).toBeUndefined();
        expect((await table.query(pk, 'ENVTOKEN#')).map((i) => i.sk)).toEqual(['ENVTOKEN#new']);
        const [a, b] = await table.batchGet([{ pk, sk: 'ENVTOKEN#old' }, { pk, sk: 'ENVTOKEN#new' }]);
        expect(a).toBeUndefined();
        expect(b?.sk).toBe('ENVTOKEN#new');
        await expect(table.consume({ pk, sk: 'ENVTOKEN#old' })).rejects.toBeInstanceOf(AlreadyConsumed);
      });

      test('an item becomes absent when the clock passes its ttl', async () => {
        const key = { pk: `STATE#${unique('e')}`, sk: 'STATE' };
        await table.put({ ...key, ttl: clock + 10 });
        expect(await table.get(key)).toBeDefined();
        clock += 11;
        expect(await table.get(key)).toBeUndefined();
        await expect(table.consume(key)).rejects.toBeInstanceOf(AlreadyConsumed);
        // An expired item does not block a new one at the same key.
        await table.putNew({ ...key, ttl: clock + 10, fresh: true });
        expect((await table.get(key))?.fresh).toBe(true);
      });
    });

    test('setIf writes only while its condition holds, and never creates an item', async () => {
      const key = { pk: `USER#${unique('c')}`, sk: 'ENVTOKEN#x' };
      const cond = 'attribute_exists(#pk) AND (attribute_not_exists(#n) OR #n < :max)';
      const names = { '#pk': 'pk', '#n': 'n' };
      expect(await table.setIf(key, { n: 1 }, cond, names, { ':max': 5 })).toBe(false);
      expect(await table.get(key)).toBeUndefined();
      await table.put({ ...key });
      expect(await table.setIf(key, { n: 7 }, cond, names, { ':max': 5 })).toBe(true);
      expect(await table.setIf(key, { n: 9 }, cond, names, { ':max': 5 })).toBe(false);
      expect((await table.get(key))?.n).toBe(7);
    });

    test('deleteIf deletes only while its condition holds', async () => {
      const key = { pk: `USER#${unique('d')}`, sk: 'ENVSLOT#001' };
      await table.put({ ...key, tokenId: 'a' });
      expect(await table.deleteIf(key, '#t = :t', { '#t': 'tokenId' }, { ':t': 'b' })).toBe(false);
      expect((await table.get(key))?.tokenId).toBe('a');
      expect(await table.deleteIf(key, '#t = :t', { '#t': 'tokenId' }, { ':t': 'a' })).toBe(true);
      expect(await table.get(key)).toBeUndefined();
    });

    test('batchGet reads many keys in one call, in the order asked', async () => {
      const pk = `USER#${unique('b')}`;
      await table.put({ pk, sk: 'ENVTOKEN#1', n: 1 });
      await table.put({ pk, sk: 'LINK#gh', n: 2 });
      const out = await table.batchGet([{ pk, sk: 'LINK#gh' }, { pk, sk: 'missing' }, { pk, sk: 'ENVTOKEN#1' }]);
      expect(out.map((i) => i?.n)).toEqual([2, undefined, 1]);
    });

    test('queryIndex lists items by gsi1pk without a scan', async () => {
      const g = unique('LINKS');
      await table.put({ pk: `USER#${unique('q')}`, sk: 'LINK#x', gsi1pk: g, gsi1sk: 'u1' });
      await table.put({ pk: `USER#${unique('q')}`, sk: 'LINK#x', gsi1pk: g, gsi1sk: 'u2' });
      expect((await table.queryIndex(g)).map((i) => i.gsi1sk).sort()).toEqual(['u1', 'u2']);
    });
  });
});
