/**
 * The local stack: the whole API on one port, built from the same route table
 * and calling the same handler modules as the Lambdas, with embedded backends:
 * dynalite for DynamoDB (driven through the real AWS adapter), a key file for
 * crypto and a secrets file, all under the data dir.
 */
import { isLoopbackHostname } from '@shared/net/loopback';
import { createServer, type RequestListener, type Server } from 'node:http';
import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { config, resetConfig } from '@shared/config';
import { errorResult, MAX_BODY_BYTES, type ApiEvent } from '@shared/http/handler';
import { AppError } from '@shared/errors';
import { Table } from '@shared/store/table';
import { usesJwtAuthorizer, type FunctionName } from '@shared/routes';
import { bearerClaims, matchRoute, readBody, toEvent, writeResult } from './apigw';
import { assertLocalProcess, createDevIssuer, ORIGIN_FILE, type DevIssuer } from './dev-issuer';
import { handleDevRoute } from './dev-routes';
import { startDynalite } from './dynalite';
import { handleRefreshRoute, startRefreshSchedule, type RefreshScheduleOptions } from './refresh-schedule';

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
  /** The scheduled refresh on a timer (local/refresh-schedule.ts); absent: only on `POST /dev/refresh-due`. */
  refreshSchedule?: RefreshScheduleOptions;
}

/** How long a stop waits for in-flight requests before cutting their connections. */
const DRAIN_MS = 10_000;

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

/** Listens on `port` (0: a free one), turning the raw listen errors into one clear line. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(e, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(e: NodeJS.ErrnoException, port: number): Error {
  const next = port > 0 && port < 65535 ? port + 1 : 8788;
  if (e.code === 'EADDRINUSE') return Object.assign(new Error(`port ${port} is in use; set PORT=${next} (or another free port), or stop what is using it`), { code: e.code });
  if (e.code === 'EACCES') return Object.assign(new Error(`port ${port} needs privileges; set PORT=${next} (or another port above 1023)`), { code: e.code });
  return e;
}

/**
 * The loopback listeners: 127.0.0.1 and, where the machine has it, ::1 on the same port
 * (`localhost` may resolve to either). A port of 0 picks one free on both.
 */
async function listenLoopback(server: Server, server6: Server, requested: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    await listen(server, requested, '127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    try {
      await listen(server6, port, '::1');
      return port;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE') return port; // no IPv6 loopback here: IPv4 alone is fine
      // Something else has localhost:port on ::1, and clients may reach it instead of us.
      if (requested !== 0 || attempt >= 4) {
        await new Promise<void>((r) => server.close(() => r()));
        throw e;
      }
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
}

/**
 * The `domainName` API Gateway would fill in: here, the loopback name the client
 * used (`localhost`, `127.0.0.1` or `[::1]` on this port), so redirects and the
 * binding cookie stay on the host the client talks to. Any other Host is
 * `undefined`: the server refuses it (DNS rebinding: a web page whose name
 * resolves to 127.0.0.1 must not reach the dev issuer or the API).
 */
export function loopbackHost(host: string | undefined, port: number): string | undefined {
  if (host === undefined) return `localhost:${port}`; // HTTP/1.0 without Host: not a browser
  const m = /^(\[::1\]|[^:@/\s[\]]+):(\d+)$/.exec(host);
  if (!m || Number(m[2]) !== port || !isLoopbackHostname(m[1]!)) return undefined;
  return `${m[1]!.toLowerCase()}:${port}`;
}

/**
 * Takes group and other bits off the data dir and everything in it (an earlier run, or a
 * checkout, may have left 0755/0644), keeping the owner's own bits; symlinks are left alone.
 * New files stay private through the server's umask (local/server.ts).
 */
function ownerOnly(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
  if (st.isDirectory()) for (const name of readdirSync(path)) ownerOnly(join(path, name));
}

export async function startLocal(opts: LocalOptions): Promise<LocalStack> {
  // Before anything else: this server mints admin tokens for anyone who asks.
  assertLocalProcess(process.env);
  if (opts.env?.GITLINK_MODE !== undefined && opts.env.GITLINK_MODE !== 'local') {
    throw new Error(`GITLINK_MODE is set to "${opts.env.GITLINK_MODE}" in the options: the local server only runs in local mode.`);
  }
  const dataDir = resolve(opts.dataDir);
  // The data dir holds the signing keys and the database: owner only, also when it pre-exists.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ownerOnly(dataDir);
  const dynamo = await startDynalite(opts.inMemory ? undefined : join(dataDir, 'dynamodb'));

  // Loopback only: the dev issuer mints tokens for anyone who asks. `localhost`
  // may resolve to ::1 or 127.0.0.1 depending on the client, so listen on both.
  // The request handler is attached before listening: a request that arrives during start-up
  // waits for the stack to be ready (or answers 503 if start-up fails) instead of hanging.
  let serve: RequestListener | undefined;
  let startFailed = false;
  const waiting: Array<() => void> = [];
  const onRequest: RequestListener = (req, res) => {
    if (serve) return void serve(req, res);
    if (startFailed) return void writeResult(res, errorResult(new AppError('service_unavailable', 'The local server failed to start.')));
    waiting.push(() => onRequest(req, res));
  };
  const server = createServer(onRequest);
  const server6 = createServer(onRequest);
  let port: number;
  try {
    port = await listenLoopback(server, server6, opts.port);
  } catch (e) {
    await dynamo.close();
    throw e;
  }
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
    ALLOW_HTTP_LOOPBACK: '1',
    OIDC_ISSUER: `${origin}/dev`,
    OIDC_CLIENT_ID: 'gitlink-local',
    ...(opts.env ?? {}),
  });
  // No PUBLIC_URL locally: the origin is the loopback host the client used (loopbackHost).
  delete process.env.PUBLIC_URL;
  // Drain: stop accepting, let in-flight requests finish (idle keep-alive sockets close at
  // once), and only cut what is still open after DRAIN_MS.
  const closeListeners = async () => {
    startFailed = true;
    for (const run of waiting.splice(0)) run();
    const cut = setTimeout(() => [server, server6].forEach((s) => s.closeAllConnections()), DRAIN_MS);
    await Promise.all([server, server6].map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
    clearTimeout(cut);
  };
  let c: ReturnType<typeof config>;
  let table: Table;
  let issuer: DevIssuer;
  try {
    // For `npm run token`: the issuer its tokens must name (PORT, when set, wins there).
    writeFileSync(join(dataDir, ORIGIN_FILE), `${origin}\n`, { mode: 0o600 });
    resetConfig();
    c = config();
    table = new Table({ tableName: c.TABLE_NAME, endpoint: dynamo.endpoint, region: c.AWS_REGION });
    await table.ensureTable();
    issuer = await createDevIssuer({
      mode: c.GITLINK_MODE,
      origin,
      dataDir,
      adminGroupClaim: c.ADMIN_GROUP_CLAIM,
      adminGroup: c.ADMIN_GROUP,
    });
  } catch (e) {
    await closeListeners();
    await dynamo.close();
    throw e;
  }

  const schedule = startRefreshSchedule(origin, opts.refreshSchedule);
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

  serve = async (req, res) => {
    try {
      const domainName = loopbackHost(req.headers.host, port);
      if (!domainName) {
        writeResult(res, errorResult(new AppError('misdirected_request')));
        return;
      }
      const url = new URL(req.url ?? '/', origin);
      const body = await readBody(req, MAX_BODY_BYTES * 4);
      if (body === 'too_large') {
        // Stop reading, answer, and close: the rest of the body must not be parsed as a next request.
        res.setHeader('connection', 'close');
        const socket = req.socket;
        res.on('finish', () => socket?.destroy());
        writeResult(res, errorResult(new AppError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`)));
        return;
      }
      if (req.method === 'POST' && url.pathname === '/dev/refresh-due') return void (await handleRefreshRoute(req, res, issuer, schedule));
      if (url.pathname.startsWith('/dev/') && (await handleDevRoute(req, res, url, body, issuer, origin))) return;
      const matched = matchRoute(req.method ?? 'GET', url.pathname);
      if (!matched) {
        writeResult(res, errorResult(new AppError('not_found')));
        return;
      }
      let claims: Record<string, string> | undefined;
      if (usesJwtAuthorizer(matched.route.auth)) {
        claims = await bearerClaims(req.headers.authorization, issuer);
        if (!claims) {
          const refused = errorResult(new AppError('unauthorized', 'A valid bearer token is required.'));
          writeResult(res, { ...refused, headers: { ...refused.headers, 'www-authenticate': 'Bearer' } });
          return;
        }
      }
      const event = toEvent(req, url, matched, body, claims, domainName);
      writeResult(res, await handlerFor(matched.route.fn)(event, {}));
    } catch (e) {
      // The handlers map their own errors; this is the local server's own failure.
      process.stderr.write(`local server error: ${(e as Error).message}\n`);
      if (!res.headersSent) writeResult(res, errorResult(e));
    }
  };
  for (const run of waiting.splice(0)) run();

  const cleanups: Array<() => Promise<void>> = [];
  const stack: LocalStack = {
    url: origin,
    port,
    issuer,
    table,
    onClose: (fn) => cleanups.push(fn),
    // Listeners first: in-flight requests drain while the sandbox and the database still answer.
    close: async () => {
      schedule.stop();
      await closeListeners();
      await Promise.all(cleanups.map((fn) => fn()));
      await dynamo.close();
    },
  };
  try {
    await opts.onListening?.(stack);
  } catch (e) {
    await stack.close();
    throw e;
  }
  return stack;
}

export type { Server };
