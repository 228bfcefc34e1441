/**
 * Helpers for the environment tests (issue 5):
 * - over the local server: add a provider, link a developer through the real
 *   OAuth redirects, create an environment token, ask for a credential;
 * - for the integration tier: deps built directly on dynalite, the embedded
 *   crypto and the fakes, with a movable clock and counting decorators.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../../local/dynalite';
import { loadConfig } from '@shared/config';
import { EmbeddedCrypto } from '@shared/crypto/embedded';
import type { Crypto } from '@shared/crypto/port';
import { stores, type Deps } from '@shared/deps';
import { localBus } from '@shared/events/bus';
import { Events } from '@shared/events/events';
import { createEnvToken } from '@shared/env/manage';
import { encryptTokens } from '@shared/credentials/tokens';
import type { ProviderConfig, TokenSet } from '@shared/providers/types';
import type { Secrets } from '@shared/secrets/port';
import { Table } from '@shared/store/table';
import type { Browser } from './local';
import type { LocalStack } from '../../local/app';
import { credentials, region, unique } from './targets';

// ---------- over the local server ----------

export async function addProvider(admin: Browser, body: Record<string, unknown>): Promise<void> {
  const r = await admin.api('POST', '/v1/admin/providers', body);
  if (r.status !== 201) throw new Error(`provider ${String(body.id)}: ${r.status} ${JSON.stringify(r.json)}`);
}

/** Links through the real redirects (fakes in auto mode approve at once). */
export async function link(dev: Browser, providerId: string): Promise<void> {
  const start = await dev.api('POST', `/v1/links/${providerId}`);
  if (start.status !== 200) throw new Error(`link start: ${start.status} ${JSON.stringify(start.json)}`);
  const end = await dev.navigate(start.json.authorizeUrl as string);
  if (new URL(end.url).searchParams.get('linked') !== providerId) throw new Error(`link did not complete: ${end.url}`);
}

export async function unlink(dev: Browser, providerId: string): Promise<void> {
  const r = await dev.api('DELETE', `/v1/links/${providerId}`);
  if (r.status !== 200) throw new Error(`unlink: ${r.status} ${JSON.stringify(r.json)}`);
}

export async function newEnvToken(dev: Browser, name = 'devbox'): Promise<string> {
  const r = await dev.api('POST', '/v1/me/tokens', { name });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token as string;
}

export interface CredentialReply {
  status: number;
  json: any;
  text: string;
  contentType: string | null;
  retryAfter: string | null;
}

/** `POST /v1/git/credential` as JSON (an object) or as git's text (a string). */
export async function askCredential(stack: { url: string }, token: string | undefined, body: Record<string, string> | string): Promise<CredentialReply> {
  const res = await fetch(`${stack.url}/v1/git/credential`, {
    method: 'POST',
    headers: {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, contentType: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after') };
}

/** The git host of a provider base URL, as git sends it (`host[:port]`). */
export const gitHost = (baseUrl: string) => new URL(baseUrl).host;

// ---------- built directly (integration tier) ----------

export interface Harness {
  deps: Deps;
  /** The deps see real time plus `offset` ms: add to it to pass time. */
  clock: { offset: number; now(): number };
  /** DynamoDB commands sent, by name (`BatchGetItemCommand`, …). */
  dynamoCalls: string[];
  /** Crypto calls, by method and encryption-context field. */
  cryptoCalls: Array<{ op: 'encrypt' | 'decrypt'; field: string | undefined }>;
  close(): Promise<void>;
}

/** `dynamoEndpoint`: a DynamoDB already running (moto_server), a fresh table on it; absent: a dynalite of its own. */
export async function startHarness(opts: { secrets: Record<string, string>; env?: Record<string, string>; dynamoEndpoint?: string }): Promise<Harness> {
  const dynamo = opts.dynamoEndpoint ? { endpoint: opts.dynamoEndpoint, close: async () => undefined } : await startDynalite();
  const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-env-'));
  const clock = {
    offset: 0,
    now() {
      return Date.now() + this.offset;
    },
  };
  const dynamoCalls: string[] = [];
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials, maxAttempts: 3 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      dynamoCalls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const table = new Table({ tableName: opts.dynamoEndpoint ? unique('gitlink') : 'gitlink', client, now: () => Math.floor(clock.now() / 1000) });
  await table.ensureTable();
  const config = loadConfig({
    GITLINK_MODE: 'local',
    GITLINK_CRYPTO: 'embedded',
    GITLINK_DATA_DIR: dataDir,
    ALLOW_HTTP_LOOPBACK: '1',
    ...(opts.env ?? {}),
  });
  const cryptoCalls: Harness['cryptoCalls'] = [];
  const secrets: Secrets = {
    get: async (id) => opts.secrets[id],
    put: async (id, s) => {
      opts.secrets[id] = s;
    },
    delete: async (id) => {
      delete opts.secrets[id];
    },
  };
  const deps: Deps = {
    config,
    table,
    crypto: counting(new EmbeddedCrypto({ dataDir }), cryptoCalls),
    secrets,
    ...stores(table),
    now: () => clock.now(),
    events: new Events({ table, bus: localBus, now: () => clock.now() }),
  };
  return {
    deps,
    clock,
    dynamoCalls,
    cryptoCalls,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** A decorator over the crypto port that records every call: how the tests see KMS traffic. */
export function counting(inner: Crypto, calls: Harness['cryptoCalls']): Crypto {
  return {
    encrypt: (p, c) => {
      calls.push({ op: 'encrypt', field: c.field });
      return inner.encrypt(p, c);
    },
    decrypt: (ct, c) => {
      calls.push({ op: 'decrypt', field: c.field });
      return inner.decrypt(ct, c);
    },
    generateSigningKeyPair: (c) => inner.generateSigningKeyPair(c),
    decryptSigningKey: (ct, c) => inner.decryptSigningKey(ct, c),
  };
}

export async function seedProvider(h: Harness, config: Partial<ProviderConfig> & Pick<ProviderConfig, 'id' | 'type' | 'baseUrl' | 'clientId'>) {
  const now = new Date(h.clock.now()).toISOString();
  await h.deps.providers.create({
    displayName: config.id,
    scopes: [],
    pkce: true,
    clientSecretSet: true,
    createdAt: now,
    updatedAt: now,
    ...config,
  });
}

/** Stores a link as the callback would, with the given tokens and expiry. */
export async function seedLink(h: Harness, userId: string, providerId: string, tokens: TokenSet) {
  const now = new Date(h.clock.now()).toISOString();
  return h.deps.links.save(
    {
      userId,
      providerId,
      accountId: '4242',
      login: 'tanuki',
      ...(await encryptTokens(h.deps.crypto, userId, providerId, tokens)),
      ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
      scopes: ['api'],
      linkedAt: now,
      updatedAt: now,
    },
    0,
  );
}

export async function seedEnvToken(h: Harness, userId: string): Promise<string> {
  return (await createEnvToken(h.deps, userId, { name: 'test' })).token;
}
