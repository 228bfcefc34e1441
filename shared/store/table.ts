/**
 * The store port's one adapter: a typed repository over the DynamoDB table,
 * built on the SDK v3 DynamoDB client. The same class drives AWS, LocalStack,
 * moto and the embedded dynalite: only the endpoint differs.
 *
 * Guarantees the rest of gitlink relies on:
 * - it never scans (listing goes through the partition or the gsi1 index);
 * - expiry is enforced on read: an item whose `ttl` has passed is absent, because
 *   DynamoDB deletes expired items lazily (sometimes days late) and dynalite and moto never do;
 * - failed conditions become domain errors carrying the existing item.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsClientConfig } from '../aws/policy';
import { tableSchema, type ItemKey } from './schema';

export type Item = ItemKey & { ttl?: number; version?: number; [attr: string]: unknown };
/** What may be written: any object with the keys (interfaces need no index signature). */
export type Writable = ItemKey & { ttl?: number; version?: number };

/** A conditional write lost. `existing` is the item as it was (undefined if absent). */
export class ConditionFailed extends Error {
  constructor(
    message: string,
    readonly existing: Item | undefined,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
/** The item was already consumed (or never existed, or expired). */
export class AlreadyConsumed extends ConditionFailed {}
/** Another writer changed the item first: reread and retry, or give up. */
export class StaleVersion extends ConditionFailed {}
/** `putNew` found an item at that key. */
export class AlreadyExists extends ConditionFailed {}

/** One page of a Query, newest (highest sort key) first. */
export interface PageQuery {
  /** Absent: the table itself. */
  index?: 'gsi1' | 'gsi2';
  /** The partition key value (of the table or of the index). */
  pk: string;
  /** Sort keys strictly above this one only. */
  skAfter?: string;
  limit: number;
  /** The full key (table and index attributes) of the last item of the previous page. */
  startKey?: Record<string, string>;
  /** Oldest (lowest sort key) first instead. */
  ascending?: boolean;
  /** An equality filter on one attribute (a Query filter: it never reads another partition). */
  filter?: { name: string; value: string };
}

export interface TableOptions {
  tableName: string;
  client?: DynamoDBClient;
  endpoint?: string;
  region?: string;
  /** One attempt's timeout (shared/aws/policy.ts); default none. */
  requestTimeoutMs?: number;
  /** Seconds since epoch; injectable so tests can move time. */
  now?: () => number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export class Table {
  readonly tableName: string;
  readonly raw: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(opts: TableOptions) {
    this.tableName = opts.tableName;
    this.raw =
      opts.client ??
      new DynamoDBClient({
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        ...awsClientConfig(opts.requestTimeoutMs),
      });
    this.doc = DynamoDBDocumentClient.from(this.raw, { marshallOptions: { removeUndefinedValues: true } });
    this.now = opts.now ?? nowSeconds;
  }

  private live<T extends Item>(item: T | undefined): T | undefined {
    if (!item) return undefined;
    if (typeof item.ttl === 'number' && item.ttl <= this.now()) return undefined;
    return item;
  }

  async get<T extends Item>(key: ItemKey, opts: { consistent?: boolean } = {}): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: opts.consistent ?? true }),
    );
    return this.live(out.Item as T | undefined);
  }

  /** Unconditional put (last writer wins). */
  async put<T extends Writable>(item: T): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** Put only if no live item holds the key; else `AlreadyExists`. */
  async putNew<T extends Writable>(item: T): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': tableSchema.ttlAttribute },
          ExpressionAttributeValues: { ':now': this.now() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      throw this.translate(e, AlreadyExists, 'an item already exists at that key');
    }
  }

  /** Delete whatever is there; returns the old item, if it was live. */
  async delete<T extends Item>(key: ItemKey): Promise<T | undefined> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }));
    return this.live(out.Attributes as T | undefined);
  }

  /** Delete only if `condition` holds; answers whether it did (a failed condition is no error). */
  async deleteIf(key: ItemKey, condition: string, names: Record<string, string>, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: key, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
      );
      return true;
    } catch (e) {
      if (this.translate(e, ConditionFailed, 'condition failed') instanceof ConditionFailed) return false;
      throw e;
    }
  }

  /**
   * Atomically take a single-use item: a conditional delete that succeeds for
   * exactly one caller, and only while the item is unexpired. Others get `AlreadyConsumed`.
   */
  async consume<T extends Item>(key: ItemKey): Promise<T> {
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ttl) OR #ttl > :now)',
          ExpressionAttributeNames: { '#ttl': tableSchema.ttlAttribute },
          ExpressionAttributeValues: { ':now': this.now() },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      // A delete that returns no old item deleted nothing: this caller did not win.
      // DynamoDB never answers so after its condition held, but moto can when
      // callers race (its check and delete are not one step), so never trust it.
      if (!out.Attributes) throw new AlreadyConsumed('already consumed, expired or unknown', undefined);
      return out.Attributes as T;
    } catch (e) {
      if (e instanceof AlreadyConsumed) throw e;
      throw this.translate(e, AlreadyConsumed, 'already consumed, expired or unknown');
    }
  }

  /**
   * Optimistic concurrency: write `item` only if the stored `version` is still
   * `expectedVersion` (or the item is absent and `expectedVersion` is 0).
   * The new item gets `version = expectedVersion + 1`. A stale writer gets `StaleVersion`.
   */
  async putVersioned<T extends Writable>(item: T, expectedVersion: number): Promise<T & { version: number }> {
    const next = { ...item, version: expectedVersion + 1 };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: next,
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#v = :expected',
          ...(expectedVersion === 0
            ? {}
            : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      throw await this.withCurrent(this.translate(e, StaleVersion, `version ${expectedVersion} is stale`), item);
    }
    return next;
  }

  /** Set some attributes if the stored `version` is still `expectedVersion`; bumps the version. */
  async updateVersioned<T extends Item>(
    key: ItemKey,
    expectedVersion: number,
    set: Record<string, unknown>,
    remove: string[] = [],
  ): Promise<T> {
    const names: Record<string, string> = { '#v': 'version' };
    const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1 };
    const sets = ['#v = #v + :one'];
    Object.entries(set).forEach(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      sets.push(`#s${i} = :s${i}`);
    });
    const removes = remove.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return out.Attributes as T;
    } catch (e) {
      throw await this.withCurrent(this.translate(e, StaleVersion, `version ${expectedVersion} is stale`), key);
    }
  }

  /**
   * Sets attributes only if `condition` holds for the stored item (names as `#name`
   * placeholders, values as `:value`). Answers whether the write happened; a
   * failed condition is an expected outcome here, not an error.
   */
  async setIf(
    key: ItemKey,
    set: Record<string, unknown>,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const setNames: Record<string, string> = {};
    const setValues: Record<string, unknown> = {};
    const clauses = Object.entries(set).map(([k, v], i) => {
      setNames[`#set${i}`] = k;
      setValues[`:set${i}`] = v;
      return `#set${i} = :set${i}`;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${clauses.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...names, ...setNames },
          ExpressionAttributeValues: { ...values, ...setValues },
        }),
      );
      return true;
    } catch (e) {
      if (this.translate(e, ConditionFailed, 'condition failed') instanceof ConditionFailed) return false;
      throw e;
    }
  }

  /** One BatchGetItem for up to 100 keys; answers in the order asked, `undefined` for absent or expired. */
  async batchGet<T extends Item>(keyList: ItemKey[]): Promise<Array<T | undefined>> {
    const found = new Map<string, T>();
    let request: Record<string, { Keys: ItemKey[]; ConsistentRead: boolean }> | undefined = {
      [this.tableName]: { Keys: keyList, ConsistentRead: true },
    };
    // Unprocessed keys come back under throttling; retry a bounded number of times.
    for (let attempt = 0; request && attempt < 5; attempt++) {
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of (out.Responses?.[this.tableName] ?? []) as T[]) found.set(`${item.pk}\u0000${item.sk}`, item);
      const rest = out.UnprocessedKeys?.[this.tableName]?.Keys as ItemKey[] | undefined;
      request = rest?.length ? { [this.tableName]: { Keys: rest, ConsistentRead: true } } : undefined;
      if (request) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
    if (request) throw new Error('BatchGetItem left keys unprocessed after retries');
    return keyList.map((k) => this.live(found.get(`${k.pk}\u0000${k.sk}`)));
  }

  /** Items of one partition, optionally under a sort-key prefix (never a scan). */
  async query<T extends Item>(pk: string, skPrefix?: string): Promise<T[]> {
    return this.collect<T>({
      KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
      ConsistentRead: true,
    });
  }

  /** Items whose gsi1pk is `value` (eventually consistent, as GSIs are). */
  async queryIndex<T extends Item>(value: string): Promise<T[]> {
    return this.collect<T>({
      IndexName: tableSchema.gsi1.name,
      KeyConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': tableSchema.gsi1.partitionKey },
      ExpressionAttributeValues: { ':g': value },
    });
  }

  /** One page of one partition, newest first (or oldest first), and the key to continue from (never a scan). */
  async queryPage<T extends Item>(q: PageQuery): Promise<{ items: T[]; lastKey?: Record<string, string> }> {
    const index = q.index ? tableSchema[q.index] : undefined;
    const pkName = index ? index.partitionKey : tableSchema.partitionKey;
    const skName = index ? index.sortKey : tableSchema.sortKey;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(index ? { IndexName: index.name } : { ConsistentRead: true }),
        KeyConditionExpression: q.skAfter ? '#p = :p AND #s > :after' : '#p = :p',
        ...(q.filter ? { FilterExpression: '#f = :f' } : {}),
        ExpressionAttributeNames: { '#p': pkName, ...(q.skAfter ? { '#s': skName } : {}), ...(q.filter ? { '#f': q.filter.name } : {}) },
        ExpressionAttributeValues: { ':p': q.pk, ...(q.skAfter ? { ':after': q.skAfter } : {}), ...(q.filter ? { ':f': q.filter.value } : {}) },
        ScanIndexForward: !!q.ascending,
        Limit: q.limit,
        ...(q.startKey ? { ExclusiveStartKey: q.startKey } : {}),
      }),
    );
    const items = ((out.Items ?? []) as T[]).filter((i) => this.live(i));
    return { items, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey as Record<string, string> } : {}) };
  }

  private async collect<T extends Item>(params: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ ...params, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...((out.Items ?? []) as T[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.filter((i) => this.live(i));
  }

  /**
   * `ReturnValuesOnConditionCheckFailure` is recent: DynamoDB and moto honour it,
   * dynalite ignores it. Where the existing item did not come back, read it, so
   * a StaleVersion always tells the loser what won.
   */
  private async withCurrent(err: unknown, key: ItemKey): Promise<unknown> {
    if (err instanceof StaleVersion && !err.existing) {
      return new StaleVersion(err.message, await this.get({ pk: key.pk, sk: key.sk }));
    }
    return err;
  }

  private translate(e: unknown, Kind: new (m: string, existing: Item | undefined) => ConditionFailed, message: string) {
    if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') {
      const old = (e as { Item?: Record<string, unknown> }).Item;
      return new Kind(message, old ? (unmarshallLoose(old) as Item) : undefined);
    }
    return e;
  }

  /** Create the table if it is missing, and add an index it lacks (local stack and tests; CDK owns it in AWS). */
  async ensureTable(): Promise<void> {
    const { partitionKey, sortKey, gsi1, gsi2 } = tableSchema;
    const indexes = [gsi1, gsi2];
    const gsi = (g: (typeof indexes)[number]) => ({
      IndexName: g.name,
      KeySchema: [
        { AttributeName: g.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: g.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    });
    const attributes = (names: string[]) => names.map((n) => ({ AttributeName: n, AttributeType: 'S' as const }));
    let existing: string[] | undefined;
    try {
      const d = await this.raw.send(new DescribeTableCommand({ TableName: this.tableName }));
      existing = (d.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName!);
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
    if (existing) {
      // A data dir from before gsi2: add it, one index per update, as DynamoDB allows.
      for (const g of indexes.filter((i) => !existing.includes(i.name))) {
        await this.raw.send(
          new UpdateTableCommand({
            TableName: this.tableName,
            AttributeDefinitions: attributes([g.partitionKey, g.sortKey]),
            GlobalSecondaryIndexUpdates: [{ Create: gsi(g) }],
          }),
        );
        await this.waitActive();
      }
      return;
    }
    try {
      await this.raw.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: attributes([partitionKey, sortKey, ...indexes.flatMap((g) => [g.partitionKey, g.sortKey])]),
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: indexes.map(gsi),
        }),
      );
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e;
    }
    await this.waitActive();
  }

  private async waitActive(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const d = await this.raw.send(new DescribeTableCommand({ TableName: this.tableName }));
      const indexesActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === undefined || g.IndexStatus === 'ACTIVE');
      if (d.Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`table ${this.tableName} did not become ACTIVE`);
  }
}

/** The raw client hands back wire-format attributes on condition failure. */
function unmarshallLoose(item: Record<string, unknown>): Record<string, unknown> {
  try {
    return unmarshall(item as never);
  } catch {
    return item;
  }
}
