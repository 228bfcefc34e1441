/** `links`: a developer's links; unlink deletes the key, revokes the token and forgets the link. */
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { makeHandler, userOf } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { parseInput } from '@shared/http/validate';
import { providerId } from '@shared/admin/provider-input';
import { unlink } from '@shared/links/unlink';
import { linkSummary } from '@shared/links/view';

const deps = createDeps(config(), eventBusFor(config()));

export const handler = makeHandler('links', {
  'GET /v1/links': async (ctx) => {
    const links = await deps.links.listForUser(userOf(ctx).id);
    return json(200, {
      links: links.map(linkSummary),
    });
  },
  'DELETE /v1/links/{providerId}': async (ctx) => {
    const id = parseInput(providerId, ctx.params.providerId, 'providerId');
    return json(200, await unlink(deps, userOf(ctx).id, id, ctx.origin));
  },
});
