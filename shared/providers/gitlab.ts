/**
 * GitLab (gitlab.com and self-managed).
 *
 * OAuth:    https://docs.gitlab.com/api/oauth2/  (authorization code + PKCE, refresh, /oauth/revoke)
 * User:     https://docs.gitlab.com/api/users/#get-the-current-user
 * SSH keys: https://docs.gitlab.com/api/user_keys/
 *
 * Provider deviations:
 * - access tokens expire after 2 h, and each refresh invalidates the old access
 *   *and* refresh token (so a refresh must be single-flight);
 * - the refresh request must carry `redirect_uri`;
 * - a duplicate SSH key gives HTTP 400 (`has already been taken`), not 409/422.
 */
import * as z from '../zod';
import { ProviderError } from './http';
import { oauth2Protocol, revokeToken } from './oauth2';
import { addKeyOrFindOwn, findOwnKey, bearer, rest } from './rest';
import type { Provider, ProviderContext, TokenSet } from './types';

const base = (ctx: ProviderContext) => ctx.config.baseUrl.replace(/\/+$/, '');
const apiUrl = (ctx: ProviderContext) => (ctx.config.apiUrl ?? `${base(ctx)}/api/v4`).replace(/\/+$/, '');

const user = z.object({ id: z.number(), username: z.string().check(z.minLength(1)) });
const key = z.object({ id: z.number(), key: z.string() });
/** A new key's answer: only the id is needed (some versions omit or reformat `key`). */
const keyId = z.object({ id: z.number() });

/** GET /user/keys, the authenticated account's keys: https://docs.gitlab.com/api/user_keys/#list-all-ssh-keys; per_page at most 100, then `Link: rel="next"` (https://docs.gitlab.com/api/rest/#pagination). */
const keyList = {
  listPath: '/user/keys?per_page=100',
  readList: (json: unknown) => z.array(key).parse(json).map((k) => ({ id: String(k.id), key: k.key })),
};

export const gitlab: Provider = {
  type: 'gitlab',
  sshHost: (c) => new URL(c.baseUrl).hostname,
  gitHttpsHost: (c) => new URL(c.baseUrl).host,
  // Each refresh spends the old refresh token; GitLab documents no lifetime for an unused one.
  refreshTokens: { rotates: true },

  ...oauth2Protocol((ctx) => ({
    authorizeUrl: `${base(ctx)}/oauth/authorize`,
    tokenUrl: `${base(ctx)}/oauth/token`,
    clientAuth: 'body',
    refreshNeedsRedirectUri: true,
  })),

  /** POST /oauth/revoke (RFC 7009); GitLab answers 200 even for unknown tokens. */
  async revoke(ctx: ProviderContext, tokens: TokenSet) {
    await revokeToken(`${base(ctx)}/oauth/revoke`, ctx, tokens.accessToken);
    return 'ok';
  },

  api(ctx, tokens) {
    const r = rest(apiUrl(ctx), bearer(tokens.accessToken), ctx);
    return {
      async identity() {
        const res = await r.expect('read the account', [200], 'GET', '/user');
        const u = user.safeParse(res.json);
        if (!u.success) throw new ProviderError('refused', 'identity_failed', 'GitLab answered /user without an account.');
        return { accountId: String(u.data.id), login: u.data.username };
      },
      addSshKey: (publicKey, title) =>
        // Provider deviation: a duplicate key gives 400 ("has already been taken"), not 409/422.
        addKeyOrFindOwn(r, publicKey, { ...keyList, addPath: '/user/keys', body: { title, key: publicKey }, duplicateStatus: 400, readId: (json) => String(keyId.parse(json).id) }),
      findSshKey: (publicKey) => findOwnKey(r, publicKey, keyList),
      async deleteSshKey(id) {
        await r.expect('delete the SSH key', [204, 404], 'DELETE', `/user/keys/${encodeURIComponent(id)}`);
      },
    };
  },
};
