/** The developer's SSH key pair (ARCHITECTURE.md §4: `USER#{userId}` / `SSHKEY`); private key only as ciphertext. */
import { keys } from './schema';
import type { Table } from './table';

export interface SshKeyRecord {
  userId: string;
  publicKey: string;
  fingerprint: string;
  privateKeyCt: string;
  createdAt: string;
  version: number;
}

export class SshKeyStore {
  constructor(private readonly table: Table) {}

  async get(userId: string): Promise<SshKeyRecord | undefined> {
    const item = await this.table.get(keys.sshKey(userId));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as unknown as SshKeyRecord;
  }

  /** Forgets the key pair (offboarding); answers whether there was one. */
  async delete(userId: string): Promise<boolean> {
    return !!(await this.table.delete(keys.sshKey(userId)));
  }

  /** Version-guarded write (0 = create). Throws StaleVersion if another writer won. */
  async save(record: Omit<SshKeyRecord, 'version'>, expectedVersion: number): Promise<SshKeyRecord> {
    const saved = await this.table.putVersioned({ ...keys.sshKey(record.userId), ...record }, expectedVersion);
    const { pk: _pk, sk: _sk, ...rest } = saved;
    return rest as unknown as SshKeyRecord;
  }
}
