/**
 * Links (ARCHITECTURE.md §4: `USER#{userId}` / `LINK#{providerId}`). Tokens are stored
 * only as KMS ciphertext; `version` guards every update (refresh single-flight,
 * relink, unlink). gsi1 (`LINKS#{providerId}`) counts a provider's links.
 */
import { dueIndex } from './refresh-due';
import type { RecordRef } from './read';
import { keys } from './schema';
import type { Table } from './table';

export interface LinkRecord {
  userId: string;
  providerId: string;
  accountId: string;
  login: string;
  /** Absent only after the provider moved to another origin: its tokens were deleted (shared/admin/provider-move.ts). */
  accessTokenCt?: string;
  refreshTokenCt?: string;
  /** Epoch ms; absent for tokens that do not expire. */
  expiresAt?: number;
  /** Epoch ms when the current access token was obtained by a refresh (absent after a link). */
  refreshedAt?: number;
  scopes: string[];
  sshKeyId?: string;
  sshKeyFingerprint?: string;
  needsRelink?: boolean;
  relinkReason?: string;
  /** Epoch ms of the next proactive refresh (shared/store/refresh-due.ts); indexed on gsi2 by day. Absent: none. */
  refreshDueAt?: number;
  /** Epoch ms until which one caller holds the refresh lease. */
  refreshLeaseUntil?: number;
  linkedAt: string;
  updatedAt: string;
  version: number;
}

/** The relink reason of a link retired because its provider moved to another origin (shared/admin/provider-move.ts). */
export const MOVED = 'provider_moved';

/** False for a retired link: its tokens were deleted when the provider moved; nothing to call a provider with. */
export const hasTokens = (link: LinkRecord): link is LinkRecord & { accessTokenCt: string } => !!link.accessTokenCt;

type LinkItem = LinkRecord & { pk: string; sk: string; gsi1pk: string; gsi1sk: string };

export const linkKey = (userId: string, providerId: string) => keys.link(userId, providerId);

export function toLinkItem(link: Omit<LinkRecord, 'version'> & { version?: number }): Omit<LinkItem, 'version'> & { version?: number } {
  return {
    ...linkKey(link.userId, link.providerId),
    gsi1pk: keys.linksOfProvider(link.providerId),
    gsi1sk: keys.userPartition(link.userId),
    ...(link.refreshDueAt !== undefined ? dueIndex(link.userId, link.providerId, link.refreshDueAt) : {}),
    ...link,
  };
}

export function fromLinkItem(item: Record<string, unknown>): LinkRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, gsi2pk: _g2, gsi2sk: _s2, ...link } = item;
  return link as unknown as LinkRecord;
}

export class LinkStore {
  constructor(readonly table: Table) {}

  /** The link, for reading with other stores' records in one call (store/read.ts). */
  ref(userId: string, providerId: string): RecordRef<LinkRecord> {
    return { key: linkKey(userId, providerId), from: fromLinkItem };
  }

  async get(userId: string, providerId: string): Promise<LinkRecord | undefined> {
    const item = await this.table.get(linkKey(userId, providerId));
    return item ? fromLinkItem(item) : undefined;
  }

  async listForUser(userId: string): Promise<LinkRecord[]> {
    return (await this.table.query(keys.userPartition(userId), 'LINK#')).map(fromLinkItem);
  }

  async listForProvider(providerId: string): Promise<LinkRecord[]> {
    return (await this.table.queryIndex(keys.linksOfProvider(providerId))).map(fromLinkItem);
  }

  /** Writes the link if `expectedVersion` still holds (0 = must not exist). StaleVersion otherwise. */
  async save(link: Omit<LinkRecord, 'version'>, expectedVersion: number): Promise<LinkRecord> {
    const saved = await this.table.putVersioned(toLinkItem(link) as LinkItem, expectedVersion);
    return fromLinkItem(saved as unknown as Record<string, unknown>);
  }

  /** Changes some fields under the version guard; returns the new record. */
  async update(userId: string, providerId: string, expectedVersion: number, set: Partial<LinkRecord>, remove: Array<keyof LinkRecord> = []) {
    // The due-date index follows `refreshDueAt`: moved with it, dropped with it.
    const index = set.refreshDueAt !== undefined ? dueIndex(userId, providerId, set.refreshDueAt) : {};
    const unindex = remove.includes('refreshDueAt') ? ['gsi2pk', 'gsi2sk'] : [];
    const out = await this.table.updateVersioned(linkKey(userId, providerId), expectedVersion, { ...set, ...index }, [...(remove as string[]), ...unindex]);
    return fromLinkItem(out);
  }

  async delete(userId: string, providerId: string): Promise<LinkRecord | undefined> {
    const old = await this.table.delete(linkKey(userId, providerId));
    return old ? fromLinkItem(old) : undefined;
  }
}
