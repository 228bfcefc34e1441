/**
 * Environment tokens (ARCHITECTURE.md §4: `USER#{userId}` / `ENVTOKEN#{tokenId}`).
 * Only sha256(secret) is stored. `ttl` mirrors `expiresAt`, so the Table drops
 * an expired token on read (DynamoDB's own TTL deletes days late, dynalite never).
 * Revoking deletes the item: the next request finds nothing and gets 401.
 */
import type { RecordRef } from './read';
import { keys } from './schema';
import { AlreadyExists, type Item, type Table } from './table';

export interface EnvTokenRecord {
  userId: string;
  tokenId: string;
  name: string;
  /** sha256(secret), hex. */
  secretHash: string;
  createdAt: string;
  lastUsedAt?: string;
  /** ISO time; absent = never expires. */
  expiresAt?: string;
  /** Epoch seconds, = expiresAt; enforced on read. */
  ttl?: number;
  /** The numbered place this token holds (absent on tokens made before places existed). */
  slot?: number;
}

export const envTokenKey = (userId: string, tokenId: string) => keys.envToken(userId, tokenId);

export function fromEnvTokenItem(item: Item): EnvTokenRecord {
  const { pk: _pk, sk: _sk, version: _v, ...rest } = item;
  return rest as unknown as EnvTokenRecord;
}

const slotNumber = (sk: string) => Number(sk.slice('ENVSLOT#'.length));

export class EnvTokenStore {
  constructor(private readonly table: Table) {}

  /**
   * Creates the token in one of `places` numbered places, or answers false when all are
   * taken. Each place is an item claimed by a conditional put that only one writer wins
   * and that expires with its token, so parallel creates (other Lambda containers) can
   * never exceed the cap (issue 10 attack 7). Throws AlreadyExists on a tokenId collision.
   */
  async create(record: Omit<EnvTokenRecord, 'slot'>, places: number): Promise<boolean> {
    const taken = new Set((await this.table.query(keys.userPartition(record.userId), 'ENVSLOT#')).map((i) => slotNumber(i.sk)));
    const free = Array.from({ length: places }, (_, i) => i).filter((i) => !taken.has(i));
    // A random order: parallel creators mostly try different places first.
    for (const slot of free.sort(() => Math.random() - 0.5)) {
      try {
        await this.table.putNew({ ...keys.envTokenSlot(record.userId, slot), tokenId: record.tokenId, ...(record.ttl ? { ttl: record.ttl } : {}) });
      } catch (e) {
        if (e instanceof AlreadyExists) continue;
        throw e;
      }
      try {
        await this.table.putNew({ ...envTokenKey(record.userId, record.tokenId), ...record, slot });
      } catch (e) {
        await this.table.delete(keys.envTokenSlot(record.userId, slot));
        throw e;
      }
      return true;
    }
    return false;
  }

  /** The token, for reading with other stores' records in one call (store/read.ts). */
  ref(userId: string, tokenId: string): RecordRef<EnvTokenRecord> {
    return { key: envTokenKey(userId, tokenId), from: fromEnvTokenItem };
  }

  async get(userId: string, tokenId: string): Promise<EnvTokenRecord | undefined> {
    const item = await this.table.get(envTokenKey(userId, tokenId));
    return item ? fromEnvTokenItem(item) : undefined;
  }

  async listForUser(userId: string): Promise<EnvTokenRecord[]> {
    return (await this.table.query(keys.userPartition(userId), 'ENVTOKEN#')).map(fromEnvTokenItem);
  }

  /** Revokes and frees its place; returns the token if it was live. */
  async delete(userId: string, tokenId: string): Promise<EnvTokenRecord | undefined> {
    const old = await this.table.delete(envTokenKey(userId, tokenId));
    // Only while the place still holds this token: an expired place may have been claimed again.
    if (old?.slot !== undefined) {
      await this.table.deleteIf(keys.envTokenSlot(userId, old.slot as number), '#t = :t', { '#t': 'tokenId' }, { ':t': tokenId });
    }
    return old ? fromEnvTokenItem(old) : undefined;
  }

  /**
   * Records use, at most once per `everyMs` per token and only while it still
   * exists: a conditional update, so a token revoked meanwhile is not recreated.
   */
  async touch(userId: string, tokenId: string, at: Date, everyMs: number): Promise<void> {
    // Already recent, or revoked meanwhile: nothing to record (a false answer).
    await this.table.setIf(
      envTokenKey(userId, tokenId),
      { lastUsedAt: at.toISOString() },
      'attribute_exists(#pk) AND (attribute_not_exists(#last) OR #last < :stale)',
      { '#pk': 'pk', '#last': 'lastUsedAt' },
      { ':stale': new Date(at.getTime() - everyMs).toISOString() },
    );
  }
}
