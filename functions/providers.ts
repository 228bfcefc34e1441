/** `providers`: the providers a developer can link, with this developer's link status. */
import type { ProviderSummary } from '@shared/contract/api';
import { config } from '@shared/config';
import { tableDeps } from '@shared/deps';
import { makeHandler, userOf } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { providerType } from '@shared/contract/provider-types';

// Reads the table only: no KMS or Secrets Manager client in this bundle (shared/deps.ts).
const deps = tableDeps(config());

export const handler = makeHandler('providers', {
  'GET /v1/providers': async (ctx) => {
    const user = userOf(ctx);
    const [providers, links] = await Promise.all([deps.providers.list(), deps.links.listForUser(user.id)]);
    const byProvider = new Map(links.map((l) => [l.providerId, l]));
    return json(200, {
      providers: providers.map((p): ProviderSummary => {
        const link = byProvider.get(p.id);
        return {
          id: p.id,
          type: p.type,
          displayName: p.displayName,
          baseUrl: p.baseUrl,
          gitOverHttps: providerType(p.type).capabilities.gitHttps,
          linked: !!link,
          ...(link ? { login: link.login, needsRelink: !!link.needsRelink, ...(link.relinkReason ? { relinkReason: link.relinkReason } : {}) } : {}),
        };
      }),
    });
  },
});
