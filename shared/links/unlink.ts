/**
 * `DELETE /v1/links/{providerId}` (ARCHITECTURE.md §3 "Unlink"): delete the SSH key at
 * the provider, revoke the token where the provider can, then forget the link.
 * The link is forgotten even when the provider is unreachable; the answer says
 * which steps succeeded so the developer knows what to clean up by hand.
 */
import type { UnlinkReport } from '../contract/api';
import type { Deps } from '../deps';
import { notFound, safeMessage } from '../errors';
import { log } from '../log';
import { providerFor } from '../providers';
import type { TokenSet } from '../providers/types';
import { hasTokens } from '../store/links';
import { providerContext } from '../credentials/provider-context';
import { freshTokens } from '../credentials/fresh-tokens';
import { remoteKeyId } from '../ssh/remote-key';

export type { StepResult, UnlinkReport } from '../contract/api';

/** `by`: who asked, for the `link.removed` event (the developer, or an admin offboarding them). */
export async function unlink(deps: Deps, userId: string, providerId: string, origin: string, by: 'developer' | 'offboarding' = 'developer'): Promise<UnlinkReport> {
  const link = await deps.links.get(userId, providerId);
  if (!link) throw notFound('not_linked', `You have no link to "${providerId}".`);
  const report: UnlinkReport = { providerId, sshKey: 'skipped', token: 'skipped', link: 'deleted', errors: {} };
  if (!hasTokens(link)) {
    // The provider moved (provider-move.ts): its tokens were deleted and neither host is called.
    report.errors.provider = 'The provider moved to another host and this link was retired; remove gitlink\'s SSH key and app authorization at the old host yourself.';
    await deps.links.delete(userId, providerId);
    log.info('unlinked a retired link', { providerId, userId });
    return report;
  }
  const config = await deps.providers.get(providerId);

  const provider = config ? providerFor(config.type) : undefined;
  const ctx = config ? providerContext(deps, config, origin) : undefined;
  let tokens: TokenSet | undefined;
  try {
    // Refreshed first: an expired token could neither delete the key nor be revoked.
    if (provider && ctx) tokens = await freshTokens(deps, provider, ctx, link);
  } catch (e) {
    log.error('unlink: tokens could not be decrypted', { providerId, error: e });
    // Neither step can run (KMS throttled, say): both are left at the provider, and the report says so.
    const why = "gitlink could not read this link's token, so it removed nothing at the provider.";
    report.sshKey = 'failed';
    report.token = 'failed';
    report.errors = { sshKey: why, token: why };
  }

  if (provider && ctx && tokens) {
    try {
      const api = provider.api(ctx, tokens);
      // No id stored (the upload's answer was lost): found by its key material.
      const keyId = await remoteKeyId(api, link, (await deps.sshKeys.get(userId))?.publicKey);
      if (keyId) {
        await api.deleteSshKey(keyId);
        report.sshKey = 'ok';
      }
    } catch (e) {
      report.sshKey = 'failed';
      report.errors.sshKey = safeMessage(e);
    }
    try {
      report.token = await provider.revoke(ctx, tokens);
    } catch (e) {
      report.token = 'failed';
      report.errors.token = safeMessage(e);
    }
  }
  await deps.links.delete(userId, providerId);
  await deps.events.emit('link.removed', { subjectUserId: userId, providerId, detail: { by, sshKey: report.sshKey, token: report.token } });
  log.info('unlinked', { providerId, userId, sshKeyStep: report.sshKey, revokeStep: report.token });
  return report;
}
