/**
 * The authorization matrix: the expected HTTP status of every route (one row per entry of
 * shared/routes.ts) for every identity (one column each). Written by hand, from the
 * route's meaning (docs/ARCHITECTURE.md §3b, §6), never derived from the route table: a
 * route added there without a row here fails authorization.test.ts.
 *
 * Columns:
 *   anon     no Authorization header
 *   exp      a genuine JWT whose `exp` has passed
 *   key      a JWT signed by another RSA key under the issuer's `kid`
 *   none     `alg: none`, no signature
 *   hs256    HS256, HMAC keyed with the issuer's public key (key confusion)
 *   aud      a genuine JWT for another audience
 *   dev      alice, a developer, on her own resources
 *   other    bob, another developer, on alice's resources
 *   admin    root, an admin (on alice's resources where a route names one)
 *   env      alice's environment token
 *   envRev   alice's revoked environment token
 *   envExp   alice's expired environment token
 *   envOther bob's token id and secret under alice's user id
 *
 * Resources: `{providerId}` is `gitlab`, linked by alice; `{id}` of a token is one of
 * alice's; `{id}` of a provider is a provider made for that cell. Where a route needs a
 * body, the test sends a valid one, so the cell shows what authorization decides.
 */
import type { Identity } from './support/identities';

type Row = readonly [anon: number, exp: number, key: number, none: number, hs256: number, aud: number, dev: number, other: number, admin: number, env: number, envRev: number, envExp: number, envOther: number];

export const columns: readonly Identity[] = [
  'anonymous', 'expiredJwt', 'otherKeyJwt', 'algNoneJwt', 'hs256PublicKeyJwt', 'wrongAudienceJwt',
  'developer', 'otherDeveloper', 'admin', 'envToken', 'envTokenRevoked', 'envTokenExpired', 'envTokenOtherUser',
];

export const matrix: Record<string, Row> = {
  //                                                         anon exp  key  none hs256 aud  dev  other admin env  envRev envExp envOther
  'GET /':                                                  [200, 200, 200, 200, 200,  200, 200, 200,  200, 200, 200,   200,   200],
  'GET /assets/{proxy+}':                                   [200, 200, 200, 200, 200,  200, 200, 200,  200, 200, 200,   200,   200],
  'GET /link/{providerId}':                                 [200, 200, 200, 200, 200,  200, 200, 200,  200, 200, 200,   200,   200],
  'GET /healthz':                                           [200, 200, 200, 200, 200,  200, 200, 200,  200, 200, 200,   200,   200],
  'GET /install.sh':                                        [200, 200, 200, 200, 200,  200, 200, 200,  200, 200, 200,   200,   200],

  'GET /v1/providers':                                      [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],

  'GET /v1/admin/providers':                                [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'POST /v1/admin/providers':                               [401, 401, 401, 401, 401,  401, 403, 403,  201, 401, 401,   401,   401],
  'GET /v1/admin/providers/{id}':                           [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'PUT /v1/admin/providers/{id}':                           [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'DELETE /v1/admin/providers/{id}':                        [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'POST /v1/admin/providers/{id}/rotate-signing-key':       [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'POST /v1/admin/providers/{id}/confirm-signing-key':      [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],

  'POST /v1/links/{providerId}':                            [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],
  // The callback is authenticated by its state and binding cookie only: every caller gets a redirect to the UI.
  'GET /oauth/callback':                                    [302, 302, 302, 302, 302,  302, 302, 302,  302, 302, 302,   302,   302],

  'GET /v1/links':                                          [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],
  // Another user's link is not theirs to remove: they have no link of that name (404), alice's stays.
  'DELETE /v1/links/{providerId}':                          [401, 401, 401, 401, 401,  401, 200, 404,  404, 401, 401,   401,   401],

  'GET /v1/me/ssh-key':                                     [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],
  'POST /v1/me/ssh-key/rotate':                             [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],
  'GET /v1/me/tokens':                                      [401, 401, 401, 401, 401,  401, 200, 200,  200, 401, 401,   401,   401],
  'POST /v1/me/tokens':                                     [401, 401, 401, 401, 401,  401, 201, 201,  201, 401, 401,   401,   401],
  'DELETE /v1/me/tokens/{id}':                              [401, 401, 401, 401, 401,  401, 204, 404,  404, 401, 401,   401,   401],

  // Environment-token routes: no JWT of any kind (not even a genuine one) gets in.
  'POST /v1/git/credential':                                [401, 401, 401, 401, 401,  401, 401, 401,  401, 200, 401,   401,   401],
  'GET /v1/env/ssh-key':                                    [401, 401, 401, 401, 401,  401, 401, 401,  401, 200, 401,   401,   401],

  // Operations: admins only, like the provider admin API. Offboarding is idempotent: alice again is 200.
  'GET /v1/admin/users/{userId}':                           [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'DELETE /v1/admin/users/{userId}':                        [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
  'GET /v1/admin/audit':                                    [401, 401, 401, 401, 401,  401, 403, 403,  200, 401, 401,   401,   401],
};
