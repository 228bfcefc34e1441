/** `ui`: the static web UI, the environment installer and liveness (ARCHITECTURE.md §3b). */
import { config } from '@shared/config';
import { makeHandler } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { assetLoader, candidateDirs } from '@shared/ui/assets';
import { installerAction, installerDirs, installerLoader } from '@shared/ui/installer';
import { uiActions } from '@shared/ui/serve';

// In the Lambda bundle __dirname is the bundle's directory, which holds web/ (infra/functions.ts).
const local = config().GITLINK_MODE === 'local';
const loader = assetLoader({ dirs: candidateDirs(__dirname), watch: local });
// Likewise sh/ beside index.js holds the installer's scripts (cli/sh in the repository).
const installer = installerLoader({ dirs: installerDirs(__dirname), watch: local });

export const handler = makeHandler('ui', {
  'GET /healthz': async () => json(200, { status: 'ok' }),
  'GET /install.sh': installerAction(installer),
  ...uiActions(loader, () => {
    const c = config();
    return {
      ...(c.OIDC_ISSUER ? { issuer: c.OIDC_ISSUER } : {}),
      ...(c.OIDC_CLIENT_ID ? { clientId: c.OIDC_CLIENT_ID } : {}),
      ...(c.OIDC_EXTRA_ORIGINS ? { extraOrigins: c.OIDC_EXTRA_ORIGINS.trim().split(/\s+/).filter(Boolean) } : {}),
    };
  }),
});
