/**
 * The one DynamoDB table (ARCHITECTURE.md §4). CDK (`infra/storage.ts`) and the local
 * stack (`ensureTable`) both build it from these names, so they cannot drift.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  /** One generic GSI: lists providers (`PROVIDERS`) and counts links per provider (`LINKS#{id}`) without a scan. */
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /**
   * A second generic GSI: links by refresh due-date bucket (`REFRESHDUE#{yyyy-mm-dd}`, for the
   * scheduled refresh) and audit items by provider (`AUDIT#PROVIDER#{id}`). One, not two:
   * CloudFormation can add only one GSI per table update.
   */
  gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

/** Key builders: the only place item keys are spelled. */
export const keys = {
  provider: (id: string) => ({ pk: `PROVIDER#${id}`, sk: 'CONFIG' }),
  state: (hash: string) => ({ pk: `STATE#${hash}`, sk: 'STATE' }),
  link: (userId: string, providerId: string) => ({ pk: `USER#${userId}`, sk: `LINK#${providerId}` }),
  sshKey: (userId: string) => ({ pk: `USER#${userId}`, sk: 'SSHKEY' }),
  envToken: (userId: string, tokenId: string) => ({ pk: `USER#${userId}`, sk: `ENVTOKEN#${tokenId}` }),
  /** One of a user's numbered token places: the cap is the number of places (env-tokens.ts). */
  envTokenSlot: (userId: string, slot: number) => ({ pk: `USER#${userId}`, sk: `ENVSLOT#${String(slot).padStart(3, '0')}` }),
  userPartition: (userId: string) => `USER#${userId}`,
  providersIndex: 'PROVIDERS',
  linksOfProvider: (providerId: string) => `LINKS#${providerId}`,
  /** gsi2: links whose proactive refresh falls due on that UTC day (`yyyy-mm-dd`). */
  refreshDue: (day: string) => `REFRESHDUE#${day}`,
  /** The bookmark of the one-time due-date catch-up for links older than the schedule (shared/refresh/catch-up.ts). */
  refreshCatchUp: { pk: 'MIGRATION#refresh-due', sk: 'STATE' },
  /** Audit items: one partition per UTC month (`yyyy-mm`), sorted by `{time}#{id}`. */
  auditMonth: (month: string) => `AUDIT#${month}`,
  /** gsi1: one developer's audit items. */
  auditOfUser: (userId: string) => `AUDIT#USER#${userId}`,
  /** gsi2: one provider's audit items. */
  auditOfProvider: (providerId: string) => `AUDIT#PROVIDER#${providerId}`,
} as const;

export type ItemKey = { pk: string; sk: string };
