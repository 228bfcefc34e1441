/** `oauth-callback`: `GET /oauth/callback` finishes a link and redirects the browser to the UI. */
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { makeHandler } from '@shared/http/handler';
import { redirect } from '@shared/http/reply';
import { callbackQuery, finishLink } from '@shared/links/callback';

const deps = createDeps(config(), eventBusFor(config()));

export const handler = makeHandler('oauth-callback', {
  'GET /oauth/callback': async ({ query, cookies, origin }) => {
    const parsed = callbackQuery.safeParse(query);
    if (!parsed.success) return redirect(`${origin}/?error=invalid_request`);
    const out = await finishLink(deps, origin, parsed.data, cookies);
    return redirect(out.location, { cookies: out.cookies });
  },
});
