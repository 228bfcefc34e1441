/**
 * Provider administration (`provider-config` function): create, read, update,
 * delete; client secrets go to Secrets Manager and are never answered back.
 */
import type { AdminProvider, ProviderDeleted } from '../contract/api';
import { defaultPkce, needsClientSecret, providerType, usesSigningKey } from '../contract/provider-types';
import type { Deps } from '../deps';
import { badRequest, conflict, notFound } from '../errors';
import { parseInput } from '../http/validate';
import { callbackUrlFor, signingContext } from '../credentials/provider-context';
import { providerFor, supportedTypes } from '../providers';
import type { ProviderConfig } from '../providers/types';
import { AlreadyExists } from '../store/table';
import { movedFromHosts, movesOrigin, retireLinks } from './provider-move';
import { providerInputSchemas, type ProviderCreateInput } from './provider-input';

/** The public view of a provider for admins: everything needed to register gitlink with it. */
export function adminView(config: ProviderConfig, origin: string): AdminProvider {
  const info = providerType(config.type);
  return {
    id: config.id,
    type: config.type,
    displayName: config.displayName,
    baseUrl: config.baseUrl,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
    clientId: config.clientId,
    clientSecretSet: config.clientSecretSet,
    scopes: config.scopes,
    pkce: config.pkce,
    // The origin itself, as the issue spells it ({domain}); the callback is {domain}/oauth/callback.
    homepageUrl: origin,
    callbackUrl: callbackUrlFor(origin),
    setupHint: info.hints.setup,
    ...(usesSigningKey(config.type) ? applicationLink(config, origin) : {}),
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
  };
}

/**
 * What the Application Link's Incoming Authentication form asks for. `publicKeyPem`
 * is always the key to paste: after a rotation, the new one. Until the admin
 * confirms, gitlink still signs with the previous key first and falls back to the
 * new one when Bitbucket refuses the old (oauth1.ts), so no link breaks in between.
 */
function applicationLink(config: ProviderConfig, origin: string) {
  const toPaste = config.pendingSigningKey ?? config.signingKey;
  return {
    consumerKey: config.consumerKey,
    consumerName: config.consumerName,
    publicKeyPem: toPaste?.publicKeyPem,
    ...(config.pendingSigningKey
      ? { pendingPublicKeyPem: config.pendingSigningKey.publicKeyPem, previousPublicKeyPem: config.signingKey?.publicKeyPem }
      : {}),
    applicationLink: {
      form: 'Bitbucket → Administration → Application Links → Create link (or Edit) → Incoming Authentication',
      applicationUrl: origin,
      consumerKey: config.consumerKey,
      consumerName: config.consumerName,
      publicKeyPem: toPaste?.publicKeyPem,
      consumerCallbackUrl: callbackUrlFor(origin),
    },
  };
}

function schemas(deps: Deps) {
  return providerInputSchemas(deps.config);
}

function checkType(type: ProviderConfig['type']) {
  if (!supportedTypes().includes(type)) {
    throw badRequest('invalid_request', `type: "${type}" is not supported yet (supported: ${supportedTypes().join(', ')})`, { field: 'type' });
  }
}

/**
 * Provider ids with this prefix belong to the local sandbox: `npm start` overwrites them
 * and `--no-sandbox` deletes them, so the admin API refuses them rather than let a
 * provider vanish at the next start. Only local/sandbox.ts passes `sandbox: true`.
 */
export const SANDBOX_ID_PREFIX = 'sandbox-';

export interface CreateOptions {
  /** The local sandbox creating its own providers (the only caller allowed the reserved prefix). */
  sandbox?: boolean;
}

export async function createProvider(deps: Deps, body: unknown, origin: string, opts: CreateOptions = {}) {
  const input: ProviderCreateInput = parseInput(schemas(deps).create, body);
  checkType(input.type);
  if (input.id.startsWith(SANDBOX_ID_PREFIX) && !opts.sandbox) {
    throw badRequest('invalid_request', `id: the prefix "${SANDBOX_ID_PREFIX}" is reserved for the local sandbox`, { field: 'id' });
  }
  const info = providerType(input.type);
  const now = new Date(deps.now()).toISOString();
  const usesSecret = needsClientSecret(input.type);
  if (usesSecret && !input.clientId) throw badRequest('invalid_request', 'clientId: required', { field: 'clientId' });
  // Without a secret no link could complete; refusing here beats a provider card that cannot link.
  if (usesSecret && !input.clientSecret) throw badRequest('invalid_request', 'clientSecret: required', { field: 'clientSecret' });
  const baseUrl = input.baseUrl ?? info.defaultBaseUrl;
  if (!baseUrl) throw badRequest('invalid_request', 'baseUrl: required', { field: 'baseUrl' });
  const consumerKey = input.consumerKey ?? 'gitlink';
  const config: ProviderConfig = {
    id: input.id,
    type: input.type,
    displayName: input.displayName ?? info.label,
    baseUrl,
    ...(input.apiUrl ? { apiUrl: input.apiUrl } : {}),
    clientId: usesSecret ? input.clientId! : consumerKey,
    scopes: input.scopes ?? [...info.defaultScopes],
    pkce: input.pkce ?? defaultPkce(input.type, baseUrl),
    clientSecretSet: usesSecret,
    ...(usesSecret
      ? {}
      : {
          consumerKey,
          consumerName: input.consumerName ?? 'gitlink',
          signingKey: await deps.crypto.generateSigningKeyPair(signingContext(input.id)),
        }),
    createdAt: now,
    updatedAt: now,
  };
  if (await deps.providers.get(config.id)) throw conflict('provider_exists', `A provider "${config.id}" exists already.`);
  // The secret first: a provider never claims `clientSecretSet` without one.
  if (usesSecret) await deps.secrets.put(config.id, input.clientSecret!);
  try {
    await deps.providers.create(config);
  } catch (e) {
    if (e instanceof AlreadyExists) throw conflict('provider_exists', `A provider "${config.id}" exists already.`);
    throw e;
  }
  await deps.events.emit('provider.created', { providerId: config.id, detail: { type: config.type, displayName: config.displayName } });
  return adminView(config, origin);
}

export async function getProvider(deps: Deps, id: string) {
  const config = await deps.providers.get(id);
  if (!config) throw notFound('unknown_provider', `No provider "${id}" is configured.`);
  return config;
}

export async function updateProvider(deps: Deps, id: string, body: unknown, origin: string) {
  const current = await getProvider(deps, id);
  const input = parseInput(schemas(deps).update, body);
  if (input.id !== undefined && input.id !== id) throw badRequest('invalid_request', 'id: cannot be changed', { field: 'id' });
  if (input.type !== undefined && input.type !== current.type) throw badRequest('invalid_request', 'type: cannot be changed; create a new provider', { field: 'type' });
  const usesSecret = needsClientSecret(current.type);
  const { apiUrl, clientSecret, id: _id, type: _type, ...rest } = input;
  const next: ProviderConfig = {
    ...current,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    ...(usesSecret ? {} : { clientId: input.consumerKey ?? current.consumerKey ?? current.clientId }),
    updatedAt: new Date(deps.now()).toISOString(),
  };
  if (apiUrl === null) delete next.apiUrl;
  else if (apiUrl) next.apiUrl = apiUrl;
  const moved = movesOrigin(current, next);
  let relinkRequired = 0;
  if (moved) {
    // Attack 3 (provider-move.ts): the old secret must never reach the new origin.
    if (usesSecret && !clientSecret) {
      throw conflict('client_secret_required', 'clientSecret: moving the provider to another host needs the client secret registered there, in the same request.', { field: 'clientSecret' });
    }
    const provider = providerFor(current.type);
    next.movedFromHosts = movedFromHosts(current, provider.gitHttpsHost(current), provider.gitHttpsHost(next));
    // Links first: should a later step fail, the provider still points at its old origin.
    relinkRequired = await retireLinks(deps, id);
  }
  if (usesSecret && clientSecret) {
    await deps.secrets.put(id, clientSecret);
    next.clientSecretSet = true;
  }
  await deps.providers.replace(next);
  await deps.events.emit('provider.updated', { providerId: id, detail: { type: next.type, displayName: next.displayName, ...(moved ? { moved: true, relinkRequired } : {}) } });
  // Again: a link completed between the first pass and the new config holds old-origin tokens too.
  if (moved) relinkRequired += await retireLinks(deps, id);
  return { ...adminView(next, origin), ...(moved ? { moved: true, relinkRequired } : {}) };
}

/**
 * Deletes the provider, its client secret and its links. The links' tokens are
 * useless without the provider's client config, and keeping them would keep
 * credentials at rest for nothing; the answer says how many there were.
 */
export async function deleteProvider(deps: Deps, id: string, origin: string): Promise<ProviderDeleted> {
  const config = await getProvider(deps, id);
  const links = await deps.links.listForProvider(id);
  await Promise.all(links.map((l) => deps.links.delete(l.userId, id)));
  await deps.secrets.delete(id);
  await deps.providers.delete(id);
  for (const l of links) {
    await deps.events.emit('link.removed', { subjectUserId: l.userId, providerId: id, detail: { by: 'provider_deleted', sshKey: 'skipped', token: 'skipped' } });
  }
  await deps.events.emit('provider.deleted', { providerId: id, detail: { type: config.type } });
  // The URLs too, so the admin can find and delete the OAuth app registered with them.
  return { deleted: id, links: links.length, homepageUrl: origin, callbackUrl: callbackUrlFor(origin) };
}

/** A new signing key pair, pending until the admin confirms it is in the Application Link. */
export async function rotateSigningKey(deps: Deps, id: string, origin: string) {
  const current = await getProvider(deps, id);
  if (!usesSigningKey(current.type)) {
    throw badRequest('no_signing_key', `Provider "${id}" does not use a signing key.`);
  }
  const next: ProviderConfig = {
    ...current,
    pendingSigningKey: await deps.crypto.generateSigningKeyPair(signingContext(id)),
    updatedAt: new Date(deps.now()).toISOString(),
  };
  await deps.providers.replace(next);
  await deps.events.emit('signing_key.rotated', { providerId: id, detail: { stage: 'pending' } });
  return adminView(next, origin);
}

/** The admin has pasted the new public key: it becomes the signing key, and the old one is dropped. */
export async function confirmSigningKey(deps: Deps, id: string, origin: string) {
  const current = await getProvider(deps, id);
  if (!current.pendingSigningKey) throw conflict('no_pending_key', `Provider "${id}" has no rotated key waiting for confirmation.`);
  const { pendingSigningKey, ...rest } = current;
  const next: ProviderConfig = { ...rest, signingKey: pendingSigningKey, updatedAt: new Date(deps.now()).toISOString() };
  await deps.providers.replace(next);
  await deps.events.emit('signing_key.rotated', { providerId: id, detail: { stage: 'confirmed' } });
  return adminView(next, origin);
}
