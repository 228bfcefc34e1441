/** Provider configs (ARCHITECTURE.md §4: `PROVIDER#{id}` / `CONFIG`), listed through gsi1 without a scan. */
import type { ProviderConfig } from '../providers/types';
import { keys } from './schema';
import type { Table } from './table';

type ProviderItem = ProviderConfig & { pk: string; sk: string; gsi1pk: string; gsi1sk: string };

const toItem = (c: ProviderConfig): ProviderItem => ({ ...keys.provider(c.id), gsi1pk: keys.providersIndex, gsi1sk: c.id, ...c });

function fromItem(item: Record<string, unknown>): ProviderConfig {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, version: _v, ...config } = item;
  return config as unknown as ProviderConfig;
}

export class ProviderStore {
  constructor(private readonly table: Table) {}

  async get(id: string): Promise<ProviderConfig | undefined> {
    const item = await this.table.get(keys.provider(id));
    return item ? fromItem(item) : undefined;
  }

  async list(): Promise<ProviderConfig[]> {
    const items = await this.table.queryIndex(keys.providersIndex);
    return items.map(fromItem).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Throws AlreadyExists if the id is taken. */
  async create(config: ProviderConfig): Promise<void> {
    await this.table.putNew(toItem(config));
  }

  async replace(config: ProviderConfig): Promise<void> {
    await this.table.put(toItem(config));
  }

  async delete(id: string): Promise<ProviderConfig | undefined> {
    const old = await this.table.delete(keys.provider(id));
    return old ? fromItem(old) : undefined;
  }
}
