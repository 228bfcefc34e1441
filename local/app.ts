/**
 * The local stack: the whole API on one port, built from the same route table
 * and calling the same handler modules as the Lambdas, with embedded backends:
 * dynalite for DynamoDB (driven through the real AWS adapter), a key file for
 * crypto and a secrets file, all under the data dir.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { config, resetConfig } from '../shared/config';
import { errorResult, MAX_BODY_BYTES, type ApiEvent } from '../shared/http/handler';
import { AppError } from '../shared/http/errors';
import { Table } from '../shared/store/table';
import type { FunctionName } from '../shared/routes';
import { flattenClaims, matchRoute, readBody, toEvent, writeResult } from './apigw';
import { createDevIssuer, type DevIssuer } from './dev-issuer';
import { handleDevRoute } from './dev-routes';
import { startDynalite } from './dynalite';

export interface LocalOptions {
  /** 0 picks a free port. */
  port: number;
  /** Where keys, secrets and the database live. */
  dataDir: string;
  /** Keep DynamoDB in memory instead of under dataDir (tests). */
  inMemory?: boolean;
  /** Extra environment for the handlers (tests pass timeouts etc.). */
  env?: Record<string, string>;
  /** Runs once the server listens, before it is announced (issue: sandbox providers). */
  onListening?: (stack: LocalStack) => Promise<unknown>;
}

export interface LocalStack {
  url: string;
  port: number;
  issuer: DevIssuer;
  table: Table;
  /** Registers cleanup to run on close (sandbox providers). */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

type Handler = (event: ApiEvent, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

export async function startLocal(opts: LocalOptions): Promise<LocalStack> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dynamo = await startDynalite(opts.inMemory ? undefined : join(dataDir, 'dynamodb'));

  // Loopback only: the dev issuer mints tokens for anyone who asks. `localhost`
  // may resolve to ::1 or 127.0.0.1 depending on the client, so listen on both.
  const server = createServer();
  await new Promise<void>((r) => server.listen(opts.port, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const server6 = createServer((req, res) => server.emit('request', req, res));
  await new Promise<void>((r) => {
    server6.once('error', () => r()); // no IPv6 loopback here: IPv4 alone is fine
    server6.listen(port, '::1', r);
  });
  const origin = `http://localhost:${port}`;

  // The handlers read their configuration from the environment, as in Lambda.
  Object.assign(process.env, {
    GITLINK_MODE: 'local',
    GITLINK_CRYPTO: 'embedded',
    GITLINK_DATA_DIR: dataDir,
    TABLE_NAME: 'gitlink',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // dynalite accepts any credentials; the SDK just needs some.
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    PUBLIC_URL: origin,
    ALLOW_HTTP_LOOPBACK: '1',
    OIDC_ISSUER: `${origin}/dev`,
    OIDC_CLIENT_ID: 'gitlink-local',
    ...(opts.env ?? {}),
  });
  resetConfig();
  const c = config();
  const table = new Table({ tableName: c.TABLE_NAME, endpoint: dynamo.endpoint, region: c.AWS_REGION });
  await table.ensureTable();

  const issuer = await createDevIssuer({
    mode: c.GITLINK_MODE,
    origin,
    dataDir,
    adminGroupClaim: c.ADMIN_GROUP_CLAIM,
    adminGroup: c.ADMIN_GROUP,
  });

  const handlers = new Map<FunctionName, Handler>();
  const handlerFor = (fn: FunctionName): Handler => {
    let h = handlers.get(fn);
    if (!h) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      h = (require(`../functions/${fn}`) as { handler: Handler }).handler;
      handlers.set(fn, h);
    }
    return h;
  };

  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin);
      const body = await readBody(req, MAX_BODY_BYTES * 4);
      if (body === 'too_large') {
        // Stop reading, answer, and close: the rest of the body must not be parsed as a next request.
        res.setHeader('connection', 'close');
        const socket = req.socket;
        res.on('finish', () => socket?.destroy());
        writeResult(res, errorResult(new AppError(413, 'payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`)));
        return;
      }
      if (url.pathname.startsWith('/dev/') && (await handleDevRoute(req, res, url, body, issuer, origin))) return;
      const matched = matchRoute(req.method ?? 'GET', url.pathname);
      if (!matched) {
        writeResult(res, errorResult(new AppError(404, 'not_found', 'No such route.')));
        return;
      }
      let claims: Record<string, string> | undefined;
      if (matched.route.auth === 'jwt' || matched.route.auth === 'admin') {
        // As the HTTP API JWT authorizer: identity source `$request.header.Authorization`.
        const auth = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
        const payload = token ? await issuer.verify(token) : undefined;
        if (!payload) {
          writeResult(res, { ...errorResult(new AppError(401, 'unauthorized', 'A valid bearer token is required.')), headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' } });
          return;
        }
        claims = flattenClaims(payload as Record<string, unknown>);
      }
      const event = toEvent(req, url, matched, body, claims, `localhost:${port}`);
      writeResult(res, await handlerFor(matched.route.fn)(event, {}));
    } catch (e) {
      // The handlers map their own errors; this is the local server's own failure.
      process.stderr.write(`local server error: ${(e as Error).message}\n`);
      if (!res.headersSent) writeResult(res, errorResult(e));
    }
  });

  const cleanups: Array<() => Promise<void>> = [];
  const stack: LocalStack = {
    url: origin,
    port,
    issuer,
    table,
    onClose: (fn) => cleanups.push(fn),
    close: async () => {
      await Promise.all(cleanups.map((fn) => fn()));
      for (const s of [server, server6]) s.closeAllConnections();
      await Promise.all([server, server6].map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
      await dynamo.close();
    },
  };
  await opts.onListening?.(stack);
  return stack;
}

export type { Server };
