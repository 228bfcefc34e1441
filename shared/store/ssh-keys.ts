/** The developer's SSH key pair (ARCHITECTURE.md §4: `USER#{userId}` / `SSHKEY`); private key only as ciphertext. */
import { keys } from './schema';
import type { RecordRef } from './read';
import type { Item, Table } from './table';

export interface SshKeyRecord {
  userId: string;
  publicKey: string;
  fingerprint: string;
  privateKeyCt: string;
  createdAt: string;
  version: number;
}

export function fromSshKeyItem(item: Item): SshKeyRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as SshKeyRecord;
}

export class SshKeyStore {
  constructor(private readonly table: Table) {}

  /** The key pair, for reading with other stores' records in one call (store/read.ts). */
  ref(userId: string): RecordRef<SshKeyRecord> {
    return { key: keys.sshKey(userId), from: fromSshKeyItem };
  }

  async get(userId: string): Promise<SshKeyRecord | undefined> {
    const item = await this.table.get(keys.sshKey(userId));
    return item ? fromSshKeyItem(item) : undefined;
  }

  /** Forgets the key pair (offboarding); answers whether there was one. */
  async delete(userId: string): Promise<boolean> {
    return !!(await this.table.delete(keys.sshKey(userId)));
  }

  /** Version-guarded write (0 = create). Throws StaleVersion if another writer won. */
  async save(record: Omit<SshKeyRecord, 'version'>, expectedVersion: number): Promise<SshKeyRecord> {
    return fromSshKeyItem(await this.table.putVersioned({ ...keys.sshKey(record.userId), ...record }, expectedVersion));
  }
}
