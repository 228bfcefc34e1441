/**
 * Bitbucket Server (application links, OAuth 1.0a with RSA-SHA1; Bitbucket ≤ 7.19
 * and every later version that still has them), and the REST API that Bitbucket
 * Data Center shares with it (bitbucket-dc.ts signs the same calls with a Bearer token).
 *
 * OAuth 1.0a endpoints (Atlassian's OAuth service-provider plugin, the same in Jira and Bitbucket;
 * consumers are application links with "Incoming Authentication", RSA-SHA1 only):
 *   https://developer.atlassian.com/server/jira/platform/oauth/
 * Identity:  GET /plugins/servlet/applinks/whoami (the applinks plugin; plain-text username), then
 *            GET /rest/api/1.0/users/{userSlug} (falling back to GET /rest/api/1.0/users?filter=)
 *            https://developer.atlassian.com/server/bitbucket/rest/v815/api-group-system-maintenance/#api-api-latest-users-userslug-get
 * SSH keys:  POST/GET /rest/ssh/1.0/keys, DELETE /rest/ssh/1.0/keys/{keyId}
 *            https://developer.atlassian.com/static/rest/bitbucket-server/4.1.0/bitbucket-ssh-rest.html
 *            (current OpenAPI: https://dac-static.atlassian.com/server/bitbucket/9.2.swagger.v3.json)
 *
 * Provider deviations:
 * - the user's "Deny" still redirects to the callback, with `oauth_verifier=denied`, and token
 *   errors are OAuth Problem Reporting codes (`token_rejected`, `token_used`, `token_expired`,
 *   `signature_invalid`…, in the body or WWW-Authenticate), as in Atlassian's own service provider
 *   (ported in github.com/jenkinsci/atlassian-bitbucket-server-integration-plugin, AuthorizeConfirmationConfig);
 * - an access token cannot be revoked over the API (the user revokes it under
 *   Manage account → Authorized applications), so revoke answers 'unsupported';
 * - whoami answers the *username*, which can be renamed and differs from the URL
 *   slug for names like `jane.doe@corp`; the stable account id is the numeric user id;
 * - a duplicate SSH key gives 409 `DuplicateSshKeyException`, whoever owns it
 *   (https://confluence.atlassian.com/bitbucketserverkb/how-to-find-conflicting-ssh-access-keys-792499987.html).
 */
import * as z from '../zod';
import { apiFailure, isTransientStatus, ProviderError, type ProviderResponse } from './http';
import { oauth1Authorize, oauth1Protocol } from './oauth1';
import { keyMaterial, rest, type Authorize } from './rest';
import type { ProviderApi, Provider, ProviderContext } from './types';

const base = (ctx: ProviderContext) => ctx.config.baseUrl.replace(/\/+$/, '');

const user = z.object({ id: z.number(), name: z.string().check(z.minLength(1)), slug: z.optional(z.string()) });
const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ values: z.array(item), isLastPage: z.optional(z.boolean()), nextPageStart: z.optional(z.number()) });
const key = z.object({ id: z.number(), text: z.string() });

/** At most this many pages of keys or users are read (100 each) before giving up. */
const MAX_PAGES = 10;

/**
 * Atlassian's OAuth problem reports echo `oauth_signature_base_string`, which holds the access
 * token: a failure keeps only the problem code, so no token reaches an error's log-only detail.
 */
function scrubbed(res: ProviderResponse): ProviderResponse {
  const problem = /(?:^|&)oauth_problem=/.test(res.text) ? new URLSearchParams(res.text.trim()).get('oauth_problem') : null;
  return problem === null ? res : { ...res, text: `oauth_problem=${problem.slice(0, 64)}` };
}

/** The Bitbucket Server / Data Center REST calls gitlink makes, with the caller's way of authenticating. */
export function bitbucketServerRestApi(ctx: ProviderContext, authorize: Authorize | Authorize[]): ProviderApi {
  const client = rest(base(ctx), authorize, ctx);
  const fail = (what: string, res: ProviderResponse) => apiFailure(what, scrubbed(res));
  const r = {
    call: client.call,
    async expect(what: string, ok: number[], method: string, path: string) {
      const res = await client.call(method, path);
      if (!ok.includes(res.status)) throw fail(what, res);
      return res;
    },
  };

  /** GET /rest/ssh/1.0/keys without `user`: the authenticated account's keys, paged by start/limit. */
  async function findSshKey(publicKey: string): Promise<{ id: string } | undefined> {
    for await (const k of pages('list SSH keys', '/rest/ssh/1.0/keys', key)) {
      if (keyMaterial(k.text) === keyMaterial(publicKey)) return { id: String(k.id) };
    }
    return undefined;
  }

  async function* pages<T extends z.ZodMiniType>(what: string, path: string, item: T): AsyncGenerator<z.infer<T>> {
    let start = 0;
    for (let i = 0; i < MAX_PAGES; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await r.expect(what, [200], 'GET', `${path}${sep}limit=100&start=${start}`);
      const p = page(item).parse(res.json);
      yield* p.values;
      if (p.isLastPage !== false || p.nextPageStart === undefined) return;
      start = p.nextPageStart;
    }
  }

  /**
   * The account id of `name`: the numeric user id, which survives renames, found by
   * slug first, else by filter (the slug of `jane.doe@corp` is `jane.doe_corp`).
   * Where the users REST API is not open to this token (404/401/403 on a trimmed
   * or locked-down server), the username from whoami is the id: it is what the
   * application link itself identifies the user by.
   */
  async function accountIdOf(name: string): Promise<string> {
    const bySlug = await r.call('GET', `/rest/api/1.0/users/${encodeURIComponent(name)}`);
    if (bySlug.status === 200) {
      const u = user.safeParse(bySlug.json);
      if (u.success && u.data.name.toLowerCase() === name.toLowerCase()) return String(u.data.id);
    } else if (isTransientStatus(bySlug.status)) {
      throw fail('read the account', bySlug);
    } else if (bySlug.status !== 404) {
      return name;
    }
    const filtered = await r.call('GET', `/rest/api/1.0/users?filter=${encodeURIComponent(name)}&limit=100`);
    if (filtered.status !== 200) {
      if (isTransientStatus(filtered.status)) throw fail('find the account', filtered);
      return name;
    }
    const found = page(user).safeParse(filtered.json);
    const match = found.success ? found.data.values.find((u) => u.name.toLowerCase() === name.toLowerCase()) : undefined;
    return match ? String(match.id) : name;
  }

  return {
    async identity() {
      const who = await r.expect('read the account', [200], 'GET', '/plugins/servlet/applinks/whoami');
      const name = who.text.trim();
      // An anonymous request gets an empty answer; a username is one printable line.
      if (!name || name.length > 255 || /[\x00-\x1f]/.test(name)) {
        throw new ProviderError('refused', 'identity_failed', 'Bitbucket did not say who signed in.');
      }
      return { accountId: await accountIdOf(name), login: name };
    },
    findSshKey,
    async addSshKey(publicKey, title) {
      const res = await r.call('POST', '/rest/ssh/1.0/keys', { text: publicKey, label: title });
      if (res.status === 201 || res.status === 200) return { id: String(key.parse(res.json).id) };
      if (res.status === 409) {
        // Ours if this account lists it; otherwise another account (or a repository access key) holds it.
        const mine = await findSshKey(publicKey);
        if (mine) return mine;
        throw new ProviderError('refused', 'ssh_key_in_use', 'This SSH key is registered elsewhere in Bitbucket.', {
          detail: `POST /rest/ssh/1.0/keys: 409 ${res.text.slice(0, 200)}`,
        });
      }
      throw fail('add the SSH key', res);
    },
    async deleteSshKey(id) {
      await r.expect('delete the SSH key', [200, 204, 404], 'DELETE', `/rest/ssh/1.0/keys/${encodeURIComponent(id)}`);
    },
  };
}

export const bitbucketServer: Provider = {
  type: 'bitbucket-server',
  sshHost: (c) => new URL(c.baseUrl).hostname,
  gitHttpsHost: (c) => new URL(c.baseUrl).host,

  ...oauth1Protocol((ctx) => ({
    requestTokenUrl: `${base(ctx)}/plugins/servlet/oauth/request-token`,
    authorizeUrl: `${base(ctx)}/plugins/servlet/oauth/authorize`,
    accessTokenUrl: `${base(ctx)}/plugins/servlet/oauth/access-token`,
    deniedVerifier: 'denied',
  })),

  /** No revocation endpoint for application-link tokens: README says where the user revokes them. */
  async revoke() {
    return 'unsupported';
  },

  api: (ctx, tokens) => bitbucketServerRestApi(ctx, oauth1Authorize(ctx, tokens.accessToken)),
};
