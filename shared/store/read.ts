/**
 * One record of a store, named by its key and read back by that store's own mapping: what
 * lets a caller read records of several stores in one BatchGetItem (the credential hot
 * path: the token and the link in one call) without knowing their item layout.
 */
import type { ItemKey } from './schema';
import type { Item, Table } from './table';

export interface RecordRef<T> {
  key: ItemKey;
  from(item: Item): T;
}

type Records<R extends readonly RecordRef<unknown>[]> = { [K in keyof R]: R[K] extends RecordRef<infer T> ? T | undefined : never };

/** The records, in the order asked; `undefined` for one that does not exist (or expired). */
export async function readMany<const R extends readonly RecordRef<unknown>[]>(table: Table, refs: R): Promise<Records<R>> {
  const items = await table.batchGet(refs.map((r) => r.key));
  return refs.map((r, i) => (items[i] ? r.from(items[i]!) : undefined)) as Records<R>;
}
