/**
 * The route table: the one list of HTTP routes (ARCHITECTURE.md §3b).
 *
 * `infra/` builds the HttpApi routes and one Lambda per function from it, and
 * `local/` builds the local server from it. Nothing else may list routes.
 * This file is pure data: it must not import handler code, because CDK reads it.
 */

/**
 * How a route is authenticated.
 * - `none`: public (UI assets, health, the environment installer).
 * - `jwt`: the HTTP API JWT authorizer (any signed-in user).
 * - `admin`: the JWT authorizer, plus the admin group check inside the function
 *   (HTTP API JWT authorizers can only check scopes, not group claims).
 * - `state`: the OAuth callback; authenticated by the single-use state and the
 *   browser-binding cookie, never by a JWT (the browser arrives from the provider).
 * - `envToken`: an environment token, checked inside the function; never passes the JWT authorizer.
 */
export type AuthKind = 'none' | 'jwt' | 'admin' | 'state' | 'envToken';

/** Routes behind the HTTP API JWT authorizer (the admin check runs inside the function, after it). */
export const usesJwtAuthorizer = (auth: AuthKind): auth is 'jwt' | 'admin' => auth === 'jwt' || auth === 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const functionNames = [
  'ui',
  'providers',
  'provider-config',
  'link-start',
  'oauth-callback',
  'links',
  'me',
  'git-credential',
  'admin-users',
  'audit',
  // No route: an EventBridge rule runs it every 6 hours (infra/operations.ts).
  'refresh-scheduler',
] as const;
export type FunctionName = (typeof functionNames)[number];

export interface Route {
  method: HttpMethod;
  /** API Gateway path syntax: `{name}` for one segment, `{proxy+}` for the rest. */
  path: string;
  auth: AuthKind;
  fn: FunctionName;
  /**
   * How a body without a content type is read. Default: refused (415). `text`:
   * read as text/plain, for the credential route, whose input is git's own
   * `key=value` format and whose simplest clients (a shell script, `nc`) send no type.
   */
  untypedBody?: 'text';
}

export const routes = [
  { method: 'GET', path: '/', auth: 'none', fn: 'ui' },
  { method: 'GET', path: '/assets/{proxy+}', auth: 'none', fn: 'ui' },
  { method: 'GET', path: '/link/{providerId}', auth: 'none', fn: 'ui' },
  { method: 'GET', path: '/healthz', auth: 'none', fn: 'ui' },
  { method: 'GET', path: '/install.sh', auth: 'none', fn: 'ui' },

  { method: 'GET', path: '/v1/providers', auth: 'jwt', fn: 'providers' },

  { method: 'GET', path: '/v1/admin/providers', auth: 'admin', fn: 'provider-config' },
  { method: 'POST', path: '/v1/admin/providers', auth: 'admin', fn: 'provider-config' },
  { method: 'GET', path: '/v1/admin/providers/{id}', auth: 'admin', fn: 'provider-config' },
  { method: 'PUT', path: '/v1/admin/providers/{id}', auth: 'admin', fn: 'provider-config' },
  { method: 'DELETE', path: '/v1/admin/providers/{id}', auth: 'admin', fn: 'provider-config' },
  { method: 'POST', path: '/v1/admin/providers/{id}/rotate-signing-key', auth: 'admin', fn: 'provider-config' },
  { method: 'POST', path: '/v1/admin/providers/{id}/confirm-signing-key', auth: 'admin', fn: 'provider-config' },

  { method: 'POST', path: '/v1/links/{providerId}', auth: 'jwt', fn: 'link-start' },
  { method: 'GET', path: '/oauth/callback', auth: 'state', fn: 'oauth-callback' },

  { method: 'GET', path: '/v1/links', auth: 'jwt', fn: 'links' },
  { method: 'DELETE', path: '/v1/links/{providerId}', auth: 'jwt', fn: 'links' },

  { method: 'GET', path: '/v1/me/ssh-key', auth: 'jwt', fn: 'me' },
  { method: 'POST', path: '/v1/me/ssh-key/rotate', auth: 'jwt', fn: 'me' },
  { method: 'GET', path: '/v1/me/tokens', auth: 'jwt', fn: 'me' },
  { method: 'POST', path: '/v1/me/tokens', auth: 'jwt', fn: 'me' },
  { method: 'DELETE', path: '/v1/me/tokens/{id}', auth: 'jwt', fn: 'me' },

  { method: 'POST', path: '/v1/git/credential', auth: 'envToken', fn: 'git-credential', untypedBody: 'text' },
  { method: 'GET', path: '/v1/env/ssh-key', auth: 'envToken', fn: 'git-credential' },

  { method: 'GET', path: '/v1/admin/users/{userId}', auth: 'admin', fn: 'admin-users' },
  { method: 'DELETE', path: '/v1/admin/users/{userId}', auth: 'admin', fn: 'admin-users' },
  { method: 'GET', path: '/v1/admin/audit', auth: 'admin', fn: 'audit' },
] as const satisfies readonly Route[];

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
/**
 * `"GET /v1/links/{providerId}"`: the same string API Gateway puts in `event.routeKey`. One per
 * route (each route's own method and path, not every method with every path).
 */
export type RouteKey = KeyOf<(typeof routes)[number]>;
/** The route keys one function serves (what its `makeHandler` must give an action each). */
export type RouteKeyOf<F extends FunctionName> = KeyOf<Extract<(typeof routes)[number], { fn: F }>>;

export const routeKey = (r: Route): string => `${r.method} ${r.path}`;

export const routesOf = (fn: FunctionName): Route[] => routes.filter((r) => r.fn === fn);

/**
 * What each function may touch. CDK turns this into least-privilege IAM
 * (ARCHITECTURE.md §5): a function gets only the grants listed here.
 */
/** The DynamoDB calls shared/store/table.ts makes; never Scan, never batch writes. */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

export interface FunctionNeeds {
  /**
   * Exactly the table calls the function's code can make, on any path (not only the ones the
   * deployed tier drives: test/deployed/checks.ts names those it cannot reach, with the reason).
   */
  table?: readonly TableAction[];
  /** The symmetric token key: encrypt and/or decrypt tokens and SSH private keys. */
  tokenKey?: 'decrypt' | 'encryptDecrypt';
  /** The Bitbucket signing key: `generate` makes data key pairs; `sign` may decrypt them. */
  signingKey?: Array<'generate' | 'sign'>;
  /** Client secrets under `gitlink/providers/`: `write` sets and deletes them without reading (the admin API never shows one). */
  secrets?: 'read' | 'write';
  /** Publishes lifecycle events on the gitlink bus (docs/events.md); their audit items need `PutItem`. */
  events?: true;
}

export const functionNeeds: Record<FunctionName, FunctionNeeds> = {
  ui: {},
  // The provider list and the developer's links: two Queries.
  providers: { table: ['Query'] },
  // UpdateItem: a provider's move retires its links (relink_required); PutItem: the provider and its audit items.
  'provider-config': { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], signingKey: ['generate'], secrets: 'write', events: true },
  // No secrets: starting a link needs no client secret (PKCE and state only; OAuth 1.0a signs with the RSA key).
  // Reads the provider, writes the state: nothing else.
  'link-start': { table: ['GetItem', 'PutItem'], tokenKey: 'encryptDecrypt', signingKey: ['sign'] },
  // DeleteItem consumes the state (single use); UpdateItem records the uploaded key id.
  'oauth-callback': { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], tokenKey: 'encryptDecrypt', signingKey: ['sign'], secrets: 'read', events: true },
  // encryptDecrypt, not decrypt: unlink refreshes an expiring token first and must save the refreshed one,
  // or the provider's new live token is never revoked (the deployed tier's finding, test/deployed/iam-fails.test.ts).
  links: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], tokenKey: 'encryptDecrypt', signingKey: ['sign'], secrets: 'read', events: true },
  me: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], tokenKey: 'encryptDecrypt', signingKey: ['sign'], secrets: 'read', events: true },
  // The hot path: one BatchGetItem warm; GetItem on the rarer paths (a refresh lost to another
  // caller rereads the link); Query for the provider list; UpdateItem for leases, refreshed tokens and lastUsedAt; PutItem for audit items.
  'git-credential': { table: ['BatchGetItem', 'GetItem', 'Query', 'UpdateItem', 'PutItem'], tokenKey: 'encryptDecrypt', secrets: 'read', events: true },
  // Offboarding unlinks every link (as `links` does: refresh first, then delete the key and revoke),
  // and deletes environment tokens and the SSH key pair.
  'admin-users': { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], tokenKey: 'encryptDecrypt', signingKey: ['sign'], secrets: 'read', events: true },
  // Reading the audit is a Query: nothing else.
  audit: { table: ['Query'] },
  // Queries the due days, rereads links and providers, takes leases and saves tokens (UpdateItem), writes audit items.
  // OAuth 2.0 refreshes only: no signing key.
  'refresh-scheduler': { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'], tokenKey: 'encryptDecrypt', secrets: 'read', events: true },
};
