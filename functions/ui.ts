/** `ui`: the static web UI and liveness (DESIGN §3b). */
import { makeHandler } from '../shared/http/handler';
import { json } from '../shared/http/reply';

export const handler = makeHandler('ui', {
  'GET /healthz': async () => json(200, { status: 'ok' }),
});
