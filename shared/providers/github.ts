/**
 * GitHub (github.com and GitHub Enterprise Server).
 *
 * OAuth web flow: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * SSH keys:       https://docs.github.com/en/rest/users/keys
 * Grant revoke:   https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
 *
 * Provider deviations from RFC 6749, handled here or by oauth2.ts's tolerant parser:
 * - the token endpoint answers form-encoded unless asked for JSON (we send `Accept: application/json`);
 * - token errors come back with HTTP 200 and an `error` field (e.g. `bad_verification_code`);
 * - the granted `scope` is comma-separated;
 * - OAuth-app tokens do not expire; GitHub App user tokens expire after 8 h with
 *   single-use refresh tokens (`expires_in`, `refresh_token`), handled by the generic refresh.
 */
import * as z from '../zod';
import { ProviderError } from './http';
import { oauth2Protocol } from './oauth2';
import { addKeyOrFindOwn, findOwnKey, bearer, rest, type Authorize } from './rest';
import type { Provider, ProviderConfig, ProviderContext } from './types';

const isDotCom = (baseUrl: string) => new URL(baseUrl).hostname === 'github.com';

/** api.github.com for github.com; `https://HOST/api/v3` for GHES; an explicit apiUrl wins. */
export function githubApiUrl(config: Pick<ProviderConfig, 'baseUrl' | 'apiUrl'>): string {
  if (config.apiUrl) return config.apiUrl.replace(/\/+$/, '');
  return isDotCom(config.baseUrl) ? 'https://api.github.com' : `${config.baseUrl.replace(/\/+$/, '')}/api/v3`;
}

const githubRest = (ctx: ProviderContext, authorize: Authorize) =>
  rest(githubApiUrl(ctx.config), authorize, ctx, {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  });
const api = (ctx: ProviderContext, token: string) => githubRest(ctx, bearer(token));

/** The OAuth application endpoints authenticate the app itself: Basic client_id:client_secret. */
async function asClient(ctx: ProviderContext) {
  const basic = Buffer.from(`${ctx.config.clientId}:${await ctx.clientSecret()}`).toString('base64');
  return githubRest(ctx, () => ({ authorization: `Basic ${basic}` }));
}

const user = z.object({ id: z.number(), login: z.string().check(z.minLength(1)) });
const key = z.object({ id: z.number(), key: z.string() });
/** A new key's answer: only the id is needed (some versions omit or reformat `key`). */
const keyId = z.object({ id: z.number() });

/** GET /user/keys, the authenticated account's keys: https://docs.github.com/en/rest/users/keys#list-public-ssh-keys-for-the-authenticated-user; per_page at most 100, then `Link: rel="next"` (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api). */
const keyList = {
  listPath: '/user/keys?per_page=100',
  readList: (json: unknown) => z.array(key).parse(json).map((k) => ({ id: String(k.id), key: k.key })),
};

const protocol = oauth2Protocol((ctx) => {
    const base = ctx.config.baseUrl.replace(/\/+$/, '');
    return {
      authorizeUrl: `${base}/login/oauth/authorize`,
      tokenUrl: `${base}/login/oauth/access_token`,
      clientAuth: 'body',
      refreshNeedsRedirectUri: false,
    };
  });

export const github: Provider = {
  type: 'github',
  sshHost: (c) => new URL(c.baseUrl).hostname,
  gitHttpsHost: (c) => new URL(c.baseUrl).host,

  ...protocol,

  // GitHub App user tokens: single-use refresh tokens that expire after 6 months (OAuth-app tokens
  // have none, so nothing is scheduled for them).
  // https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
  refreshTokens: { rotates: true, lifetimeMs: 184 * 86_400_000 },

  /**
   * Provider deviation: a used or expired GitHub App refresh token answers
   * `bad_refresh_token` (HTTP 200), where RFC 6749 §5.2 says `invalid_grant`.
   * https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
   */
  refresh: (ctx, refreshToken) =>
    protocol.refresh(ctx, refreshToken).catch((e: unknown) => {
      if (e instanceof ProviderError && e.oauthError === 'bad_refresh_token') {
        throw new ProviderError('refused', e.code, e.message, { oauthError: 'invalid_grant', ...(e.providerStatus ? { providerStatus: e.providerStatus } : {}), ...(e.detail ? { detail: e.detail } : {}) });
      }
      throw e;
    }),

  /** DELETE /applications/{client_id}/grant revokes every token of the grant, and GitHub then deletes the SSH keys the app created. */
  async revoke(ctx, tokens) {
    // 404: the grant is already gone, which is what we wanted.
    await (await asClient(ctx)).expect('revoke the grant', [204, 404], 'DELETE', `/applications/${encodeURIComponent(ctx.config.clientId)}/grant`, {
      access_token: tokens.accessToken,
    });
    return 'ok';
  },

  /** DELETE /applications/{client_id}/token revokes this one token; the user's other tokens of the app stay. */
  async revokeToken(ctx, tokens) {
    await (await asClient(ctx)).expect('revoke the token', [204, 404], 'DELETE', `/applications/${encodeURIComponent(ctx.config.clientId)}/token`, {
      access_token: tokens.accessToken,
    });
    return 'ok';
  },

  api(ctx, tokens) {
    const r = api(ctx, tokens.accessToken);
    return {
      async identity() {
        const res = await r.expect('read the account', [200], 'GET', '/user');
        const u = user.safeParse(res.json);
        if (!u.success) throw new ProviderError('refused', 'identity_failed', 'GitHub answered /user without an account.');
        return { accountId: String(u.data.id), login: u.data.login };
      },
      addSshKey: (publicKey, title) =>
        // Provider quirk: a key already registered anywhere on GitHub gives 422 "key is already in use".
        addKeyOrFindOwn(r, publicKey, { ...keyList, addPath: '/user/keys', body: { title, key: publicKey }, duplicateStatus: 422, readId: (json) => String(keyId.parse(json).id) }),
      findSshKey: (publicKey) => findOwnKey(r, publicKey, keyList),
      async deleteSshKey(id) {
        await r.expect('delete the SSH key', [204, 404], 'DELETE', `/user/keys/${encodeURIComponent(id)}`);
      },
    };
  },
};
