/** `ui`: the static web UI and liveness (ARCHITECTURE.md §3b). */
import { config } from '@shared/config';
import { makeHandler } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { assetLoader, candidateDirs } from '@shared/ui/assets';
import { uiActions } from '@shared/ui/serve';

// In the Lambda bundle __dirname is the bundle's directory, which holds web/ (infra/functions.ts).
const loader = assetLoader({ dirs: candidateDirs(__dirname), watch: config().GITLINK_MODE === 'local' });

export const handler = makeHandler('ui', {
  'GET /healthz': async () => json(200, { status: 'ok' }),
  ...uiActions(loader, () => {
    const c = config();
    return {
      ...(c.OIDC_ISSUER ? { issuer: c.OIDC_ISSUER } : {}),
      ...(c.OIDC_CLIENT_ID ? { clientId: c.OIDC_CLIENT_ID } : {}),
      ...(c.OIDC_EXTRA_ORIGINS ? { extraOrigins: c.OIDC_EXTRA_ORIGINS.trim().split(/\s+/).filter(Boolean) } : {}),
    };
  }),
});
