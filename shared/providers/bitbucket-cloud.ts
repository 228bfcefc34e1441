/**
 * Bitbucket Cloud (bitbucket.org).
 *
 * OAuth:    https://developer.atlassian.com/cloud/bitbucket/oauth-2/
 *           (https://bitbucket.org/site/oauth2/authorize, /site/oauth2/access_token, client auth by HTTP Basic)
 * Scopes:   https://developer.atlassian.com/cloud/bitbucket/bitbucket-cloud-rest-api-scopes
 * User:     https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/  (GET /2.0/user)
 * SSH keys: https://developer.atlassian.com/cloud/bitbucket/rest/api-group-ssh/
 *           (POST /2.0/users/{selected_user}/ssh-keys {key, label}, account:write; DELETE …/ssh-keys/{key_id})
 *
 * Provider deviations:
 * - the token answer names the granted scopes `scopes`, not `scope` (the link then records the configured ones);
 * - access tokens last 2 h; refresh needs no `redirect_uri`;
 * - no token revocation endpoint is documented, so revoke answers 'unsupported'
 *   (the user revokes the grant under Personal settings → App authorizations);
 * - a key registered anywhere on Bitbucket gives 400 "Someone has already registered that SSH key."
 *   (https://support.atlassian.com/bitbucket-cloud/kb/why-am-i-not-able-to-add-an-ssh-key-in-bitbucket-cloud/),
 *   also when it is this account's own key;
 * - accounts and keys are identified by UUIDs in braces (`{…}`), which must be URL-encoded in paths.
 */
import * as z from '../zod';
import { apiFailure, ProviderError } from './http';
import { oauth2Protocol } from './oauth2';
import { bearer, keyMaterial, rest } from './rest';
import type { Provider, ProviderContext } from './types';

const base = (ctx: ProviderContext) => ctx.config.baseUrl.replace(/\/+$/, '');
/**
 * api.bitbucket.org/2.0 for bitbucket.org; for any other base URL (a test or
 * proxy host) `{baseUrl}/2.0`, so such a setup never calls the real service.
 * An explicit apiUrl wins.
 */
const apiUrl = (ctx: ProviderContext) => {
  if (ctx.config.apiUrl) return ctx.config.apiUrl.replace(/\/+$/, '');
  return new URL(ctx.config.baseUrl).hostname === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : `${base(ctx)}/2.0`;
};

const nonEmpty = z.string().check(z.minLength(1));
const user = z.object({ uuid: z.string().check(z.regex(/^\{[^{}\s]{1,64}\}$/)), username: z.optional(nonEmpty), nickname: z.optional(nonEmpty) });
const key = z.object({ uuid: nonEmpty, key: z.string() });
const keyPage = z.object({ values: z.array(key), next: z.optional(z.string()) });

export const bitbucketCloud: Provider = {
  type: 'bitbucket-cloud',
  sshHost: (c) => new URL(c.baseUrl).hostname,
  gitHttpsHost: (c) => new URL(c.baseUrl).host,
  // Bitbucket Cloud's refresh tokens neither expire nor rotate: nothing to refresh ahead of time.
  refreshTokens: { rotates: false },

  ...oauth2Protocol((ctx) => ({
    authorizeUrl: `${base(ctx)}/site/oauth2/authorize`,
    tokenUrl: `${base(ctx)}/site/oauth2/access_token`,
    clientAuth: 'basic',
    refreshNeedsRedirectUri: false,
  })),

  async revoke() {
    return 'unsupported';
  },

  api(ctx, tokens) {
    const r = rest(apiUrl(ctx), bearer(tokens.accessToken), ctx);
    let me: Promise<z.infer<typeof user>> | undefined;
    const account = () =>
      (me ??= r.expect('read the account', [200], 'GET', '/user').then((res) => {
        const u = user.safeParse(res.json);
        if (!u.success) throw new ProviderError('refused', 'identity_failed', 'Bitbucket answered /user without an account.');
        return u.data;
      }));
    const keysPath = async () => `/users/${encodeURIComponent((await account()).uuid)}/ssh-keys`;

    /** `next` is an absolute URL; follow it only on the API's own origin and path. */
    const nextPath = (next: string | undefined) => {
      if (!next) return undefined;
      const api = new URL(apiUrl(ctx));
      const n = new URL(next, api);
      return n.origin === api.origin && n.pathname.startsWith(`${api.pathname}/`) ? n.pathname.slice(api.pathname.length) + n.search : undefined;
    };

    async function findKey(publicKey: string): Promise<string | undefined> {
      let path: string | undefined = `${await keysPath()}?pagelen=100`;
      for (let i = 0; path && i < 10; i++) {
        const page = keyPage.parse((await r.expect('list SSH keys', [200], 'GET', path)).json);
        const found = page.values.find((k) => keyMaterial(k.key) === keyMaterial(publicKey));
        if (found) return found.uuid;
        path = nextPath(page.next);
      }
      return undefined;
    }

    return {
      async identity() {
        const u = await account();
        return { accountId: u.uuid, login: u.username ?? u.nickname ?? u.uuid };
      },
      async addSshKey(publicKey, title) {
        const res = await r.call('POST', await keysPath(), { key: publicKey, label: title });
        if (res.status === 201) return { id: key.parse(res.json).uuid };
        if (res.status === 400) {
          const mine = await findKey(publicKey);
          if (mine) return { id: mine };
          if (/already registered/i.test(res.text)) {
            throw new ProviderError('refused', 'ssh_key_in_use', 'This SSH key is registered to another Bitbucket account.');
          }
        }
        throw apiFailure('add the SSH key', res);
      },
      async deleteSshKey(id) {
        await r.expect('delete the SSH key', [204, 404], 'DELETE', `${await keysPath()}/${encodeURIComponent(id)}`);
      },
      async findSshKey(publicKey) {
        const id = await findKey(publicKey);
        return id ? { id } : undefined;
      },
    };
  },
};
