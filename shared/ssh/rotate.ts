/**
 * `POST /v1/me/ssh-key/rotate`: a new key pair, uploaded to every linked
 * provider *before* the old key is deleted anywhere.
 *
 * Decision: rotation is all-or-nothing. The developer has one key pair, and a
 * provider left with only the old key would no longer match the private key
 * environments use. So if any upload fails, the new key is removed again from
 * the providers that took it, the old key stays in force everywhere, and the
 * answer reports each provider. No provider is ever left without a key.
 */
import type { ProviderRotation, RotationReport } from '../contract/api';
import type { Deps } from '../deps';
import { conflict, safeMessage } from '../errors';
import { log } from '../log';
import { providerFor } from '../providers';
import { providerContext } from '../credentials/provider-context';
import { freshTokens } from '../credentials/fresh-tokens';
import { hasTokens, type LinkRecord } from '../store/links';
import { StaleVersion } from '../store/table';
import { remoteKeyId } from './remote-key';
import { ensureUserKey, newUserKey } from './user-key';

export type { ProviderRotation, RotationReport } from '../contract/api';

export async function rotateUserKey(deps: Deps, userId: string, origin: string): Promise<RotationReport> {
  const current = await ensureUserKey(deps, userId);
  const next = await newUserKey(deps, userId);
  // A retired link (its provider moved) has no token to upload with; relinking registers the current key.
  const links = (await deps.links.listForUser(userId)).filter(hasTokens);
  const title = `gitlink (${new URL(origin).host})`;

  const apiFor = async (link: LinkRecord) => {
    const config = await deps.providers.get(link.providerId);
    if (!config) throw new Error('provider no longer configured');
    const provider = providerFor(config.type);
    const ctx = providerContext(deps, config, origin);
    return provider.api(ctx, await freshTokens(deps, provider, ctx, link));
  };

  // 1. Upload the new key everywhere.
  const uploads = await Promise.all(
    links.map(async (link) => {
      try {
        const api = await apiFor(link);
        return { link, api, newId: (await api.addSshKey(next.publicKey, title)).id };
      } catch (e) {
        return { link, error: safeMessage(e) };
      }
    }),
  );
  const failed = uploads.filter((u) => 'error' in u);

  if (failed.length) {
    // 2a. Roll back: take the new key off the providers that accepted it.
    const providers = await Promise.all(
      uploads.map(async (u): Promise<ProviderRotation> => {
        if ('error' in u) return { providerId: u.link.providerId, status: 'failed', error: u.error! };
        await u.api!.deleteSshKey(u.newId!).catch((e: unknown) => log.warn('rollback of new key failed', { providerId: u.link.providerId, error: e }));
        return { providerId: u.link.providerId, status: 'rolled_back' };
      }),
    );
    return { rotated: false, publicKey: current.publicKey, fingerprint: current.fingerprint, providers };
  }

  // 2b. Commit the new key pair, then retire the old key at each provider.
  try {
    await deps.sshKeys.save(next, current.version);
  } catch (e) {
    if (e instanceof StaleVersion) throw conflict('rotation_conflict', 'Another rotation finished first; try again.');
    throw e;
  }
  const providers = await Promise.all(
    uploads.map(async (u): Promise<ProviderRotation> => {
      const { link } = u;
      // The old key still works where it could not be deleted: say so, never "rotated".
      // No id stored (the upload's answer was lost): the old key is found by its key material.
      let kept: string | undefined;
      await remoteKeyId(u.api!, link, current.publicKey)
        .then((oldId) => (oldId && oldId !== u.newId ? u.api!.deleteSshKey(oldId) : undefined))
        .catch((e: unknown) => {
          log.warn('old key delete failed', { providerId: link.providerId, error: e });
          kept = safeMessage(e);
        });
      try {
        await deps.links.update(userId, link.providerId, link.version, { sshKeyId: u.newId!, sshKeyFingerprint: next.fingerprint });
      } catch (e) {
        // The link changed meanwhile (refresh, relink): record the key id on the fresh copy.
        const fresh = await deps.links.get(userId, link.providerId);
        if (fresh) await deps.links.update(userId, link.providerId, fresh.version, { sshKeyId: u.newId!, sshKeyFingerprint: next.fingerprint }).catch(() => undefined);
        else log.warn('link vanished during rotation', { providerId: link.providerId, error: e });
      }
      return kept === undefined ? { providerId: link.providerId, status: 'rotated' } : { providerId: link.providerId, status: 'old_key_kept', error: kept };
    }),
  );
  await deps.events.emit('ssh_key.rotated', { subjectUserId: userId, detail: { fingerprint: next.fingerprint } });
  return { rotated: true, publicKey: next.publicKey, fingerprint: next.fingerprint, providers };
}
