/**
 * Maps a Node HTTP request to the API Gateway HTTP API v2 event (payload 2.0)
 * that the Lambda would receive, and the handler's result back to HTTP. The
 * handlers run unchanged: the local server calls the same modules the Lambdas do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '@shared/http/handler';
import { routes, routeKey, type Route } from '@shared/routes';

export interface MatchedRoute {
  route: Route;
  pathParameters: Record<string, string>;
}

/** Compiles the route table's API Gateway paths (`{id}`, `{proxy+}`) to matchers. */
const compiled = routes.map((route) => {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      const greedy = /^\{(\w+)\+\}$/.exec(seg);
      if (greedy) {
        names.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(seg);
      if (param) {
        names.push(param[1]!);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route: route as Route, names, re: new RegExp(`^${pattern}$`) };
});

/** Like API Gateway: exact routes beat parameterised ones; a wrong method is a 404 too. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const hits = compiled
    .filter((c) => c.route.method === method)
    .map((c) => ({ c, m: c.re.exec(path) }))
    .filter((h) => h.m)
    .sort((a, b) => a.c.names.length - b.c.names.length);
  const hit = hits[0];
  if (!hit) return undefined;
  const pathParameters: Record<string, string> = {};
  try {
    hit.c.names.forEach((n, i) => {
      pathParameters[n] = decodeURIComponent(hit.m![i + 1]!);
    });
  } catch {
    return undefined; // malformed percent-encoding: no route
  }
  return { route: hit.c.route, pathParameters };
}

/**
 * As the HTTP API JWT authorizer: the bearer token of `Authorization` (its identity source),
 * verified by the issuer, as the claims API Gateway passes on; undefined when there is none or it fails.
 */
export async function bearerClaims(
  authorization: string | undefined,
  issuer: { verify(token: string): Promise<object | undefined> },
): Promise<Record<string, string> | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const payload = token ? await issuer.verify(token) : undefined;
  return payload ? flattenClaims(payload as Record<string, unknown>) : undefined;
}

/** API Gateway passes JWT claims as strings, flattening arrays to "[a b]". */
export function flattenClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (Array.isArray(v)) out[k] = `[${v.join(' ')}]`;
    else if (v && typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // API Gateway's own payload limit is 10 MB; we stop reading well past the
    // handler's 64 KiB so the handler still answers its own clean 413.
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  matched: MatchedRoute,
  body: Buffer,
  claims: Record<string, string> | undefined,
  domainName: string,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'cookie') continue; // payload 2.0 moves cookies to `cookies`
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const cookies = req.headers.cookie ? req.headers.cookie.split(';').map((c) => c.trim()).filter(Boolean) : undefined;
  const query: Record<string, string> = {};
  // API Gateway joins repeated query parameters with commas.
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const binary = !!headers['content-type'] && !/^(text\/|application\/(json|x-www-form-urlencoded))/i.test(headers['content-type']);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(matched.route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(cookies ? { cookies } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(matched.pathParameters).length ? { pathParameters: matched.pathParameters } : {}),
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: body.length > 0 && binary,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(matched.route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
  } as ApiEvent;
}

export function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined): void {
  if (typeof result === 'string' || result === undefined) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(result ?? '');
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
}
