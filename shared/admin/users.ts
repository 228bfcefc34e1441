/**
 * One developer, seen and removed by an admin (`admin-users` function):
 * - `GET /v1/admin/users/{userId}`: their links and environment tokens, and their SSH key;
 * - `DELETE /v1/admin/users/{userId}`: offboarding, everything they hold in one call.
 *
 * Offboarding order, so access ends as early as possible:
 * 1. environment tokens: deleted, so the very next git operation is refused (nothing caches
 *    a token's validity: shared/env/manage.ts);
 * 2. every link, through the same unlink as the developer's own (shared/links/unlink.ts):
 *    SSH key deleted at the provider, token revoked where the provider can, link forgotten
 *    even when the provider is down;
 * 3. the SSH key pair.
 * The answer is a per-provider report; each step that did not happen at the provider is a
 * line of what the admin must finish by hand there. Calling it again is harmless: there
 * is nothing left, and the report says so (idempotent).
 */
import type { AdminUser, OffboardProviderReport, OffboardReport } from '../contract/api';
import type { Deps } from '../deps';
import { tokenView } from '../env/manage';
import { unlink, type StepResult } from '../links/unlink';
import { linkSummary } from '../links/view';
import { EnvTokenStore } from '../store/env-tokens';
import type { LinkRecord } from '../store/links';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function describeUser(deps: Deps, userId: string): Promise<AdminUser> {
  const [links, tokens, key] = await Promise.all([
    deps.links.listForUser(userId),
    new EnvTokenStore(deps.table).listForUser(userId),
    deps.sshKeys.get(userId),
  ]);
  return {
    userId,
    links: links.map((l) => ({
      ...linkSummary(l),
      // A link never refreshed since it was made counts from the link.
      lastRefreshAt: iso(l.refreshedAt) ?? l.linkedAt,
    })),
    envTokens: tokens.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(tokenView),
    sshKey: key ? { fingerprint: key.fingerprint, createdAt: key.createdAt } : null,
  };
}

export type { AdminUser, OffboardReport } from '../contract/api';

/** The steps that did not happen at the provider, as instructions for the admin. */
function leftBehind(link: LinkRecord, name: string, sshKey: StepResult, token: StepResult): string[] {
  const out: string[] = [];
  if (link.sshKeyId && sshKey !== 'ok') {
    out.push(`Delete the SSH key ${link.sshKeyFingerprint ?? `id ${link.sshKeyId}`} from ${link.login}'s account at ${name}.`);
  }
  if (token !== 'ok') {
    out.push(`Revoke gitlink's access in ${link.login}'s account at ${name} (${token === 'unsupported' ? `${name} has no API to revoke it` : 'the provider could not be reached or refused'}).`);
  }
  return out;
}

export async function offboardUser(deps: Deps, userId: string, origin: string): Promise<OffboardReport> {
  const envTokens = new EnvTokenStore(deps.table);
  const tokens = await envTokens.listForUser(userId);
  for (const t of tokens) {
    if (await envTokens.delete(userId, t.tokenId)) {
      await deps.events.emit('env_token.revoked', { subjectUserId: userId, detail: { tokenId: t.tokenId, by: 'offboarding' } });
    }
  }

  const providers: OffboardProviderReport[] = [];
  for (const link of await deps.links.listForUser(userId)) {
    const config = await deps.providers.get(link.providerId);
    const name = config?.displayName ?? link.providerId;
    // unlink forgets the link whatever the provider answers, and never throws for a provider failure.
    const r = await unlink(deps, userId, link.providerId, origin, 'offboarding').catch(() => undefined);
    const sshKey = r?.sshKey ?? 'skipped';
    const token = r?.token ?? 'skipped';
    if (!r) await deps.links.delete(userId, link.providerId);
    providers.push({ providerId: link.providerId, login: link.login, sshKey, token, link: 'deleted', manual: leftBehind(link, name, sshKey, token) });
  }

  const sshKeyDeleted = await deps.sshKeys.delete(userId);
  const left = providers.reduce((n, p) => n + p.manual.length, 0);
  if (tokens.length || providers.length || sshKeyDeleted) {
    await deps.events.emit('user.offboarded', {
      subjectUserId: userId,
      detail: { links: providers.length, envTokens: tokens.length, sshKey: sshKeyDeleted, leftAtProviders: left },
    });
  }
  return { userId, providers, envTokensRevoked: tokens.length, sshKeyDeleted, complete: left === 0 };
}
