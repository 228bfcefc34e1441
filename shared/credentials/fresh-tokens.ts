/**
 * Tokens good for a provider call now. Unlink and SSH-key rotation call the
 * provider long after the link was made: a GitLab token is dead after 2 hours,
 * so they refresh first, through the same single-flight refresh as the
 * credential hot path (shared/credentials/refresh.ts). If the refresh fails, the stored
 * tokens are tried anyway: unlink must still forget the link.
 */
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { log } from '../log';
import { ensureFresh } from './refresh';
import type { Provider, ProviderContext, TokenSet } from '../providers/types';
import type { LinkRecord } from '../store/links';
import { decryptTokens } from './tokens';

export async function freshTokens(deps: Pick<Deps, 'links' | 'crypto' | 'now' | 'events'>, provider: Provider, ctx: ProviderContext, link: LinkRecord): Promise<TokenSet> {
  try {
    const fresh = await ensureFresh(
      deps,
      {
        provider,
        ctx,
        gone: () => new AppError('not_linked', 'The link was removed meanwhile.'),
        relink: (reason) => new AppError('relink_required', `The link needs relinking (${reason}).`),
      },
      link,
      { budgetMs: 8_000, trigger: 'provider_call' },
    );
    const tokens = await decryptTokens(deps.crypto, fresh.link);
    return fresh.accessToken ? { ...tokens, accessToken: fresh.accessToken } : tokens;
  } catch (e) {
    log.warn('refresh before a provider call failed; using the stored tokens', { providerId: link.providerId, error: e });
    return decryptTokens(deps.crypto, link);
  }
}
