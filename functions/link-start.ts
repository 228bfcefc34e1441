/** `link-start`: `POST /v1/links/{providerId}` sets the binding cookie and answers the authorize URL. */
import type { LinkStart } from '@shared/contract/api';
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { makeHandler, userOf } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { parseInput } from '@shared/http/validate';
import { providerId } from '@shared/admin/provider-input';
import { startLink } from '@shared/links/start';

const deps = createDeps(config());

export const handler = makeHandler('link-start', {
  'POST /v1/links/{providerId}': async (ctx) => {
    const user = userOf(ctx);
    const id = parseInput(providerId, ctx.params.providerId, 'providerId');
    const { authorizeUrl, cookie } = await startLink(deps, user.id, id, ctx.origin);
    return json(200, { authorizeUrl } satisfies LinkStart, { cookies: [cookie] });
  },
});
