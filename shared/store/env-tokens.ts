/**
 * Environment tokens (ARCHITECTURE.md §4: `USER#{userId}` / `ENVTOKEN#{tokenId}`).
 * Only sha256(secret) is stored. `ttl` mirrors `expiresAt`, so the Table drops
 * an expired token on read (DynamoDB's own TTL deletes days late, dynalite never).
 * Revoking deletes the item: the next request finds nothing and gets 401.
 */
import { keys } from './schema';
import type { Item, Table } from './table';

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
}

export const envTokenKey = (userId: string, tokenId: string) => keys.envToken(userId, tokenId);

export function fromEnvTokenItem(item: Item): EnvTokenRecord {
  const { pk: _pk, sk: _sk, version: _v, ...rest } = item;
  return rest as unknown as EnvTokenRecord;
}

export class EnvTokenStore {
  constructor(private readonly table: Table) {}

  /** Throws AlreadyExists on a tokenId collision (≈2^-95; the caller may simply fail). */
  async create(record: EnvTokenRecord): Promise<void> {
    await this.table.putNew({ ...envTokenKey(record.userId, record.tokenId), ...record });
  }

  async get(userId: string, tokenId: string): Promise<EnvTokenRecord | undefined> {
    const item = await this.table.get(envTokenKey(userId, tokenId));
    return item ? fromEnvTokenItem(item) : undefined;
  }

  async listForUser(userId: string): Promise<EnvTokenRecord[]> {
    return (await this.table.query(keys.userPartition(userId), 'ENVTOKEN#')).map(fromEnvTokenItem);
  }

  /** Revokes; returns the token if it was live. */
  async delete(userId: string, tokenId: string): Promise<EnvTokenRecord | undefined> {
    const old = await this.table.delete(envTokenKey(userId, tokenId));
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
