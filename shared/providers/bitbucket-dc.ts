/**
 * Bitbucket Data Center ≥ 7.20 with an OAuth 2.0 incoming application link.
 *
 * OAuth:  https://confluence.atlassian.com/bitbucketserver/bitbucket-oauth-2-0-provider-api-1108483661.html
 *         (authorization code + PKCE at /rest/oauth2/latest/authorize and /rest/oauth2/latest/token)
 * Scopes: https://confluence.atlassian.com/bitbucketserver0721/oauth-2-0-scopes-for-incoming-links-1115666709.html
 *         ("Repositories: Write" = REPO_WRITE, "Account: Write" = ACCOUNT_WRITE)
 * REST:   the same whoami, users and SSH-key endpoints as Bitbucket Server (bitbucket-server.ts),
 *         with `Authorization: Bearer`; whoami with a Bearer token is what Eclipse Che and others use.
 *
 * Provider deviations:
 * - the refresh request must carry `redirect_uri` (as GitLab's);
 * - access tokens last 1 h and refresh tokens 90 days;
 * - there is no revocation endpoint: the user revokes the grant under
 *   Profile → Authorized applications, so revoke answers 'unsupported';
 * - git over HTTPS takes the token with the username `x-token-auth`.
 */
import { bitbucketServerRestApi } from './bitbucket-server';
import { oauth2Protocol } from './oauth2';
import { bearer } from './rest';
import type { Provider, ProviderContext } from './types';

const base = (ctx: ProviderContext) => ctx.config.baseUrl.replace(/\/+$/, '');

export const bitbucketDc: Provider = {
  type: 'bitbucket-dc',
  sshHost: (c) => new URL(c.baseUrl).hostname,
  gitHttpsHost: (c) => new URL(c.baseUrl).host,
  // Refresh tokens live 90 days (atlassian.oauth2.provider.refresh.token.expiration); a refresh
  // answers a new one. https://confluence.atlassian.com/bitbucketserver/oauth-2-0-provider-system-properties-1108483660.html
  refreshTokens: { rotates: true, lifetimeMs: 90 * 86_400_000 },

  ...oauth2Protocol((ctx) => ({
    authorizeUrl: `${base(ctx)}/rest/oauth2/latest/authorize`,
    tokenUrl: `${base(ctx)}/rest/oauth2/latest/token`,
    clientAuth: 'body',
    refreshNeedsRedirectUri: true,
  })),

  async revoke() {
    return 'unsupported';
  },

  api: (ctx, tokens) => bitbucketServerRestApi(ctx, bearer(tokens.accessToken)),
};
