/**
 * A provider's move to another origin (issue 10, attack 3: an admin pointing a
 * provider at a host they control). Nothing gitlink holds for the old origin
 * may ever reach the new one:
 *
 * - the client secret: a move must bring a new one in the same request
 *   (409 `client_secret_required` otherwise), so the old secret is never sent
 *   to the new host;
 * - the links' tokens: every link of the provider is marked `relink_required`
 *   (reason `provider_moved`) and its token ciphertexts are deleted, so no
 *   token, revoke or key-deletion call can carry them anywhere again.
 *
 * The old host is not called either (no revoke, no key deletion there): the
 * admin has just said it is no longer where this provider lives (it may be
 * decommissioned, or its name may now point elsewhere), and the only client
 * secret gitlink holds from now on is the new origin's. What is left at the old
 * host (the grant, gitlink's SSH key) is the developer's to remove there; unlink
 * says so.
 */
import type { Deps } from '../deps';
import { log } from '../log';
import type { ProviderConfig } from '../providers/types';
import { hasTokens, MOVED, type LinkRecord } from '../store/links';
import { StaleVersion } from '../store/table';

/** How many earlier git hosts a provider remembers, to answer the old host's credential requests. */
const MAX_MOVED_FROM = 5;

/** The origins a config makes gitlink call. URLs derived from the base URL (api.github.com) follow it. */
export const calledOrigins = (c: Pick<ProviderConfig, 'baseUrl' | 'apiUrl'>): string[] =>
  [c.baseUrl, c.apiUrl].filter((u): u is string => !!u).map((u) => new URL(u).origin);

/** True when `next` calls an origin that `current` did not. */
export function movesOrigin(current: ProviderConfig, next: ProviderConfig): boolean {
  const before = new Set(calledOrigins(current));
  return calledOrigins(next).some((o) => !before.has(o));
}

/** The git hosts a moved provider used to serve, newest first, without the one it serves now. */
export function movedFromHosts(current: ProviderConfig, oldHost: string, newHost: string): string[] {
  return [oldHost, ...(current.movedFromHosts ?? [])].filter((h, i, all) => h !== newHost && all.indexOf(h) === i).slice(0, MAX_MOVED_FROM);
}

/**
 * Marks every link of the provider `provider_moved` and deletes its tokens.
 * Each write is under the link's version guard: a refresh that saves meanwhile
 * moves the version on, and the link is reread and retired again.
 */
export async function retireLinks(deps: Pick<Deps, 'links' | 'now' | 'events'>, providerId: string): Promise<number> {
  const links = await deps.links.listForProvider(providerId);
  let retired = 0;
  for (const first of links) {
    let link: LinkRecord | undefined = first;
    for (let attempt = 0; link && hasTokens(link) && attempt < 10; attempt++) {
      try {
        await deps.links.update(
          link.userId,
          providerId,
          link.version,
          { needsRelink: true, relinkReason: MOVED, updatedAt: new Date(deps.now()).toISOString() },
          // The SSH key id is the old host's: at the new one it could name someone else's key.
          // No tokens: nothing for the scheduled refresh to do either.
          ['accessTokenCt', 'refreshTokenCt', 'expiresAt', 'refreshedAt', 'refreshLeaseUntil', 'sshKeyId', 'sshKeyFingerprint', 'refreshDueAt'],
        );
        retired++;
        await deps.events.emit('link.relink_required', { subjectUserId: link.userId, providerId, detail: { reason: MOVED } });
        link = undefined;
      } catch (e) {
        if (!(e instanceof StaleVersion)) throw e;
        link = await deps.links.get(first.userId, providerId);
      }
    }
    if (link && hasTokens(link)) throw new Error(`link of ${first.userId} kept changing while retiring it`);
  }
  if (retired) log.warn('provider moved: links need relinking', { providerId, links: retired });
  return retired;
}
