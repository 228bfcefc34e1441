/**
 * Lambda, in-process: a "container" is a fresh load of one `functions/*.ts`
 * module (its module scope builds clients and caches, as a cold start does),
 * invoked with API Gateway HTTP API v2 events (payload 2.0) as the Lambda
 * would receive them. The local server's HTTP is not in the measurement.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '@shared/http/handler';
import type { FunctionName, RouteKey } from '@shared/routes';

const root = join(__dirname, '..', '..');
type Handler = (event: ApiEvent, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** Loads `functions/{fn}.ts` with every project module fresh (node_modules stay loaded, like the SDK in a warm process). */
export function coldContainer(fn: FunctionName): Handler {
  for (const k of Object.keys(require.cache)) if (k.startsWith(root) && !k.includes('/node_modules/')) delete require.cache[k];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(root, 'functions', fn)) as { handler: Handler }).handler;
}

export interface Request {
  route: RouteKey;
  /** The path as sent; defaults to the route's path. */
  path?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  /** JWT claims as API Gateway passes them (strings; arrays as "[a b]"). */
  claims?: Record<string, string>;
}

export const DOMAIN = 'localhost:1';

export function apiEvent(r: Request): ApiEvent {
  const [method, routePath] = r.route.split(' ') as [string, string];
  const path = r.path ?? routePath;
  const now = new Date();
  const qs = new URLSearchParams(r.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: r.route,
    rawPath: path,
    rawQueryString: qs,
    headers: { host: DOMAIN, 'user-agent': 'gitlink-bench', ...(r.headers ?? {}) },
    ...(r.cookies ? { cookies: r.cookies } : {}),
    ...(r.query ? { queryStringParameters: r.query } : {}),
    ...(r.params ? { pathParameters: r.params } : {}),
    ...(r.body !== undefined ? { body: r.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: DOMAIN,
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'gitlink-bench' },
      requestId: randomUUID(),
      routeKey: r.route,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(r.claims ? { authorizer: { jwt: { claims: r.claims, scopes: null } } } : {}),
    },
  } as unknown as ApiEvent;
}

export const invoke = (h: Handler, r: Request) => h(apiEvent(r), {});
export const jsonBody = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
