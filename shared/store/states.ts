/**
 * Link attempts in flight (ARCHITECTURE.md §4: `STATE#{sha256}` / `STATE`). Stored under
 * the hash of the state (or OAuth 1.0a request token), so a table read never
 * yields a usable value; consumed by a conditional delete, so each works once.
 */
import { sha256hex } from '../crypto/hash';
import { keys } from './schema';
import type { Table } from './table';

export interface StateRecord {
  userId: string;
  providerId: string;
  /** sha256 (hex) of the browser-binding cookie nonce. */
  nonceHash: string;
  /** Protocol secrets (PKCE verifier, request-token secret), KMS-encrypted as one JSON blob. */
  secretsCt: string;
  /** Epoch seconds; enforced on read. */
  ttl: number;
  createdAt: string;
}

export const STATE_TTL_SECONDS = 600;


export class StateStore {
  constructor(private readonly table: Table) {}

  async put(correlation: string, record: StateRecord): Promise<void> {
    await this.table.putNew({ ...keys.state(sha256hex(correlation)), ...record });
  }

  /** Takes the state exactly once; throws AlreadyConsumed for used, expired or unknown states. */
  async consume(correlation: string): Promise<StateRecord> {
    const item = await this.table.consume(keys.state(sha256hex(correlation)));
    const { pk: _pk, sk: _sk, ...record } = item;
    return record as unknown as StateRecord;
  }
}
