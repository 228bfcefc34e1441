/**
 * The authorization matrix (issue 10 "Whole-system guarantees"): every route of
 * shared/routes.ts × every identity, over real HTTP through the local server, whose JWT
 * check plays API Gateway's JWT authorizer (local/app.ts, local/dev-issuer.ts). Expected
 * statuses live in ./authorization-matrix.ts; a route without a row fails here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes, routeKey } from '@shared/routes';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import type { LocalStack } from '../../local/app';
import { columns, matrix } from './authorization-matrix';
import { badJwts, envTokenParts, expireEnvToken, spliceEnvToken, type Identity } from './support/identities';

let stack: LocalStack;
let gl: FakeGitLab;
let admin: Browser;
let alice: Browser;
let bob: Browser;
let bearer: Record<Identity, string | undefined>;
let asset: string;
let seq = 0;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gitlink-authz-'));
  stack = await startTestStack({ dataDir });
  gl = await startFakeGitLab();
  admin = await Browser.signIn(stack, 'root', true);
  alice = await Browser.signIn(stack, 'alice');
  bob = await Browser.signIn(stack, 'bob');
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  await addProvider(admin, { id: 'bbs', type: 'bitbucket-server', displayName: 'Bitbucket Server', baseUrl: 'http://127.0.0.1:9' });
  await link(alice, 'gitlab');
  const revoked = await newEnvToken(alice, 'revoked');
  expect((await alice.api('DELETE', `/v1/me/tokens/${envTokenParts(revoked).tokenId}`)).status).toBe(204);
  const expired = await newEnvToken(alice, 'expired');
  await expireEnvToken(stack, 'alice', expired);
  bearer = {
    anonymous: undefined,
    ...(await badJwts(stack, dataDir, 'alice')),
    developer: alice.token,
    otherDeveloper: bob.token,
    admin: admin.token,
    envToken: await newEnvToken(alice, 'live'),
    envTokenRevoked: revoked,
    envTokenExpired: expired,
    envTokenOtherUser: spliceEnvToken(await newEnvToken(alice, 'victim'), await newEnvToken(bob, 'attacker')),
  };
  const index = await (await fetch(`${stack.url}/`)).text();
  asset = /\/assets\/([^"]+\.js)"/.exec(index)![1]!;
});
afterAll(async () => {
  await gl.close();
  await stack.close();
});

interface Request {
  path: string;
  body?: unknown;
}
interface Fixture {
  /** Runs before the cell, as whoever owns the resource: the request to send. */
  prepare(): Promise<Request>;
  /** Who may change the resource (default: alice, the developer). */
  owner?: Identity;
  /** After a cell by anyone but the owner: the resource is untouched. */
  untouched?(req: Request): Promise<void>;
}

const fixed = (path: string, body?: unknown): Fixture => ({ prepare: async () => ({ path, ...(body !== undefined ? { body } : {}) }) });
const freshProvider = async () => {
  const id = `m${++seq}`;
  await addProvider(admin, { id, type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  return `/v1/admin/providers/${id}`;
};
const aliceLinked = async () => (await alice.api('GET', '/v1/links')).json.links.some((l: { providerId: string }) => l.providerId === 'gitlab');

const fixtures: Record<string, Fixture> = {
  'GET /': fixed('/'),
  'GET /assets/{proxy+}': { prepare: async () => ({ path: `/assets/${asset}` }) },
  'GET /link/{providerId}': fixed('/link/gitlab'),
  'GET /healthz': fixed('/healthz'),
  'GET /install.sh': fixed('/install.sh'),
  'GET /v1/providers': fixed('/v1/providers'),
  'GET /v1/admin/providers': fixed('/v1/admin/providers'),
  'POST /v1/admin/providers': {
    prepare: async () => ({ path: '/v1/admin/providers', body: { id: `n${++seq}`, type: 'gitlab', baseUrl: gl.url, clientId: 'x', clientSecret: 'y' } }),
  },
  'GET /v1/admin/providers/{id}': fixed('/v1/admin/providers/gitlab'),
  'PUT /v1/admin/providers/{id}': { prepare: async () => ({ path: await freshProvider(), body: { displayName: 'Renamed' } }) },
  'DELETE /v1/admin/providers/{id}': {
    owner: 'admin',
    prepare: async () => ({ path: await freshProvider() }),
    untouched: async (req) => expect((await admin.api('GET', req.path)).status).toBe(200),
  },
  'POST /v1/admin/providers/{id}/rotate-signing-key': fixed('/v1/admin/providers/bbs/rotate-signing-key'),
  'POST /v1/admin/providers/{id}/confirm-signing-key': {
    prepare: async () => {
      // A key pair takes a while to make: rotate only when no rotated key is waiting.
      if (!(await admin.api('GET', '/v1/admin/providers/bbs')).json.pendingPublicKeyPem) {
        expect((await admin.api('POST', '/v1/admin/providers/bbs/rotate-signing-key')).status).toBe(200);
      }
      return { path: '/v1/admin/providers/bbs/confirm-signing-key' };
    },
  },
  'POST /v1/links/{providerId}': fixed('/v1/links/gitlab'),
  'GET /oauth/callback': fixed('/oauth/callback?state=not-a-state&code=not-a-code'),
  'GET /v1/links': fixed('/v1/links'),
  'DELETE /v1/links/{providerId}': {
    prepare: async () => {
      if (!(await aliceLinked())) await link(alice, 'gitlab');
      return { path: '/v1/links/gitlab' };
    },
    untouched: async () => expect(await aliceLinked()).toBe(true),
  },
  'GET /v1/me/ssh-key': fixed('/v1/me/ssh-key'),
  'POST /v1/me/ssh-key/rotate': fixed('/v1/me/ssh-key/rotate'),
  'GET /v1/me/tokens': fixed('/v1/me/tokens'),
  'POST /v1/me/tokens': fixed('/v1/me/tokens', { name: 'matrix' }),
  'DELETE /v1/me/tokens/{id}': {
    prepare: async () => ({ path: `/v1/me/tokens/${envTokenParts(await newEnvToken(alice, `t${++seq}`)).tokenId}` }),
    untouched: async (req) => {
      const listed = (await alice.api('GET', '/v1/me/tokens')).json.tokens.map((t: { id: string }) => t.id);
      expect(listed).toContain(req.path.split('/').pop());
    },
  },
  'POST /v1/git/credential': {
    prepare: async () => {
      if (!(await aliceLinked())) await link(alice, 'gitlab');
      return { path: '/v1/git/credential', body: { protocol: 'http', host: gitHost(gl.url) } };
    },
  },
  'GET /v1/env/ssh-key': fixed('/v1/env/ssh-key'),
  'GET /v1/admin/audit': fixed('/v1/admin/audit?user=alice'),
  'GET /v1/admin/users/{userId}': fixed('/v1/admin/users/alice'),
  // Not alice: offboarding her would take the other cells' token and link away.
  'DELETE /v1/admin/users/{userId}': {
    owner: 'admin',
    prepare: async () => {
      const carol = `carol-${++seq}`;
      await newEnvToken(await Browser.signIn(stack, carol), 'carol');
      return { path: `/v1/admin/users/${carol}` };
    },
    untouched: async (req) => expect((await admin.api('GET', req.path)).json.envTokens).toHaveLength(1),
  },
};

async function send(method: string, req: Request, identity: Identity): Promise<number> {
  const token = bearer[identity];
  const res = await fetch(`${stack.url}${req.path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

const keysOfRoutes = routes.map((r) => routeKey(r));

describe('the matrix covers the route table', () => {
  test('every route has a row of expectations and a request fixture', () => {
    expect(keysOfRoutes.filter((k) => !(k in matrix))).toEqual([]);
    expect(keysOfRoutes.filter((k) => !(k in fixtures))).toEqual([]);
  });
  test('every row names a route that exists', () => {
    expect(Object.keys(matrix).filter((k) => !keysOfRoutes.includes(k))).toEqual([]);
  });
  test('every row has one status per identity', () => {
    for (const row of Object.values(matrix)) expect(row).toHaveLength(columns.length);
  });
});

describe('authorization matrix: every route × every identity', () => {
  test.each(keysOfRoutes.filter((k) => k in matrix && k in fixtures))('%s', async (key) => {
    const [method] = key.split(' ');
    const fixture = fixtures[key]!;
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const [i, identity] of columns.entries()) {
      const req = await fixture.prepare();
      got[identity] = await send(method!, req, identity);
      want[identity] = matrix[key]![i]!;
      if (identity !== (fixture.owner ?? 'developer') && fixture.untouched) await fixture.untouched(req);
    }
    expect(got).toEqual(want);
  });
});
