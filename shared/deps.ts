/**
 * The composition root: builds the ports from the config. Only handler entry
 * files (functions/*.ts) call it at module scope; tests build
 * their own deps with whatever adapters they need.
 *
 * Two builders, so a function bundles only the clients its `functionNeeds` row
 * (shared/routes.ts) lists: `tableDeps` for a function that only reads the table
 * (no KMS or Secrets Manager client in its bundle: test/infra/bundle.test.ts),
 * `createDeps` for the rest.
 */
import type { Config } from './config';
import { KmsCrypto } from './crypto/aws-kms';
import { EmbeddedCrypto } from './crypto/embedded';
import type { Crypto } from './crypto/port';
import { AwsSecrets } from './secrets/aws';
import { CachedSecrets } from './secrets/cached';
import { FileSecrets } from './secrets/file';
import type { Secrets } from './secrets/port';
import { localBus, type EventBus } from './events/bus';
import { Events } from './events/events';
import { LinkStore } from './store/links';
import { ProviderStore } from './store/providers';
import { SshKeyStore } from './store/ssh-keys';
import { StateStore } from './store/states';
import { Table } from './store/table';

/** The config, the table and its stores. */
export interface TableDeps {
  config: Config;
  table: Table;
  providers: ProviderStore;
  links: LinkStore;
  states: StateStore;
  sshKeys: SshKeyStore;
  /** Milliseconds since epoch; injectable so tests can move time. */
  now: () => number;
}

export interface Deps extends TableDeps {
  crypto: Crypto;
  secrets: Secrets;
  /** Lifecycle events and their audit items (docs/events.md). */
  events: Events;
}

/** The stores over one table. */
export function stores(table: Table) {
  return {
    providers: new ProviderStore(table),
    links: new LinkStore(table),
    states: new StateStore(table),
    sshKeys: new SshKeyStore(table),
  };
}

export function tableDeps(config: Config): TableDeps {
  const table = new Table({
    tableName: config.TABLE_NAME,
    region: config.AWS_REGION,
    ...(config.AWS_ENDPOINT_URL_DYNAMODB ? { endpoint: config.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS,
  });
  return { config, table, ...stores(table), now: Date.now };
}

/**
 * `bus`: where events go. Functions that publish pass `eventBusFor(config)`
 * (shared/events/eventbridge.ts); the others keep the in-process default and so do not
 * bundle the EventBridge client.
 */
export function createDeps(config: Config, bus: EventBus = localBus): Deps {
  const embedded = config.GITLINK_CRYPTO === 'embedded';
  const crypto: Crypto = embedded
    ? new EmbeddedCrypto({ dataDir: config.GITLINK_DATA_DIR })
    : new KmsCrypto({ tokenKeyId: config.TOKEN_KEY_ID!, signingKeyId: config.SIGNING_KEY_ID!, region: config.AWS_REGION, requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS });
  const inner: Secrets = embedded
    ? new FileSecrets({ dataDir: config.GITLINK_DATA_DIR })
    : new AwsSecrets({ region: config.AWS_REGION, requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS });
  const base = tableDeps(config);
  return { ...base, crypto, secrets: new CachedSecrets(inner, config.SECRETS_CACHE_MS), events: new Events({ table: base.table, bus, now: base.now }) };
}
