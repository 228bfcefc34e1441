/**
 * The bench's world: moto_server (DynamoDB, KMS, Secrets Manager) with the
 * gitlink table and keys, a fake GitLab, and the functions configured as in
 * AWS (GITLINK_CRYPTO=aws) except for local mode's http-on-loopback provider.
 * Set-up goes through the handlers themselves (in-process, real events).
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { startMoto, type Moto } from '../support/moto';
import { credentials, region } from '../support/targets';
import { Table } from '@shared/store/table';
import type { FunctionName } from '@shared/routes';
import { coldContainer, invoke, jsonBody, type Request } from './lambda';

export const ADMIN = { sub: 'bench-admin', 'cognito:groups': '[gitlink-admins]' };
export const userClaims = (sub: string) => ({ sub });

export interface World {
  moto: Moto;
  gl: FakeGitLab;
  table: Table;
  /** One warm container per function, for set-up requests. */
  call(fn: FunctionName, r: Request): ReturnType<typeof invoke>;
  addProvider(id: string): Promise<void>;
  /** Links `userId` to provider `id` through link-start, the fake's authorize endpoint and the callback. */
  link(userId: string, id: string): Promise<void>;
  /** The link-start answer and the callback query for a link not yet finished. */
  startLink(userId: string, id: string): Promise<{ query: Record<string, string>; cookies: string[] }>;
  envToken(userId: string): Promise<{ token: string; id: string }>;
  gitHost: string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const moto = await startMoto();
  const kms = new KMSClient({ endpoint: moto.endpoint, region, credentials });
  const [tokenKey, signingKey] = await Promise.all([kms.send(new CreateKeyCommand({})), kms.send(new CreateKeyCommand({}))]);
  kms.destroy();
  Object.assign(process.env, {
    GITLINK_MODE: 'local', // for ALLOW_HTTP_LOOPBACK (the fake provider is http on 127.0.0.1); crypto and secrets are AWS
    GITLINK_CRYPTO: 'aws',
    TOKEN_KEY_ID: tokenKey.KeyMetadata!.KeyId!,
    SIGNING_KEY_ID: signingKey.KeyMetadata!.KeyId!,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    TABLE_NAME: 'gitlink-bench',
    ALLOW_HTTP_LOOPBACK: '1',
    LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  delete process.env.PUBLIC_URL;
  const table = new Table({ tableName: 'gitlink-bench', endpoint: moto.endpoint, region });
  await table.ensureTable();
  const gl = await startFakeGitLab();

  const warm = new Map<FunctionName, ReturnType<typeof coldContainer>>();
  const call = (fn: FunctionName, r: Request) => {
    if (!warm.has(fn)) warm.set(fn, coldContainer(fn));
    return invoke(warm.get(fn)!, r);
  };
  const ok = async (what: string, p: ReturnType<typeof invoke>, status: number) => {
    const res = await p;
    if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const startLink = async (userId: string, id: string) => {
    const start = await ok('link start', call('link-start', { route: 'POST /v1/links/{providerId}', params: { providerId: id }, claims: userClaims(userId) }), 200);
    gl.behavior.nextUser = userId;
    const at = await fetch(JSON.parse(start.body!).authorizeUrl as string, { redirect: 'manual' });
    const back = new URL(at.headers.get('location')!);
    return { query: Object.fromEntries(back.searchParams), cookies: (start.cookies ?? []).map((c) => c.split(';')[0]!) };
  };
  return {
    moto,
    gl,
    table,
    call,
    gitHost: new URL(gl.url).host,
    addProvider: async (id) => {
      await ok('add provider', call('provider-config', { route: 'POST /v1/admin/providers', claims: ADMIN, ...jsonBody({ id, type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret }) }), 201);
    },
    startLink,
    link: async (userId, id) => {
      const { query, cookies } = await startLink(userId, id);
      const res = await ok('callback', call('oauth-callback', { route: 'GET /oauth/callback', query, cookies }), 302);
      const location = String(res.headers?.location);
      if (!location.includes(`linked=${id}`)) throw new Error(`link failed: ${location}`);
    },
    envToken: async (userId) => {
      const res = await ok('env token', call('me', { route: 'POST /v1/me/tokens', claims: userClaims(userId), ...jsonBody({ name: 'bench' }) }), 201);
      const body = JSON.parse(res.body!) as { token: string; id: string };
      return { token: body.token, id: body.id };
    },
    close: async () => {
      await gl.close();
      moto.child.kill('SIGTERM');
    },
  };
}

/** A credential request as git-credential-gitlink sends it. */
export const credentialRequest = (token: string, host: string): Request => ({
  route: 'POST /v1/git/credential',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ protocol: 'http', host }),
});
