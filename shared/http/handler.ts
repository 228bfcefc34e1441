/**
 * Builds a Lambda handler (middy) for one function of the route table.
 *
 * A function serves several routes; API Gateway tells which in `event.routeKey`.
 * The pipeline is the same for all of them:
 *   edge checks (size, content type, JSON) → auth (from the route table) → action → reply,
 * with one error mapper at the end. Routes of the function that have no action
 * yet answer `501 not_implemented`.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routesOf, routeKey, usesJwtAuthorizer, type FunctionName, type Route, type RouteKeyOf } from '../routes';
import { config } from '../config';
import { log } from '../log';
import { userFromClaims, requireAdmin, type User } from '../auth/user';
import { withEventSource, type EventSource } from '../events/context';
import { recordAnswer, recordFailure } from '../metrics/http';
import { AppError, notImplemented, toAppError, toErrorResponse, unauthorized } from '../errors';
import { retryAfterHeader } from './retry-after';
import type { Reply } from './reply';

/** Bodies over 64 KiB are refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null } };
  };
};

export interface Ctx {
  event: ApiEvent;
  route: Route;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Parsed body: JSON value, text, or form fields; `undefined` when there is none. */
  body: unknown;
  /** The body as sent, decoded to text (a form body's fields lose its line breaks). */
  rawBody?: string;
  bodyKind: 'json' | 'text' | 'form' | 'none';
  cookies: Record<string, string>;
  /** Present on `jwt` and `admin` routes. */
  user?: User;
  /** The public origin, e.g. `https://git.example.com` (ARCHITECTURE.md §6). */
  origin: string;
}

export type Action = (ctx: Ctx) => Promise<Reply>;

/**
 * Public origin: the configured domain, else API Gateway's `domainName` (never a
 * client header). Locally the server puts the loopback host the client used in
 * `domainName` (local/app.ts), served over plain http.
 */
export function publicOrigin(event: ApiEvent): string {
  const c = config();
  if (c.GITLINK_MODE === 'local') return `http://${event.requestContext.domainName}`;
  if (c.PUBLIC_URL) return c.PUBLIC_URL.replace(/\/+$/, '');
  return `https://${event.requestContext.domainName}`;
}

function parseCookies(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of list ?? []) {
    for (const part of c.split(';')) {
      const i = part.indexOf('=');
      if (i > 0) {
        const name = part.slice(0, i).trim();
        // First cookie of a name wins, as browsers send the most specific first.
        if (!(name in out)) out[name] = part.slice(i + 1).trim();
      }
    }
  }
  return out;
}

/** A request header by lower-case name (API Gateway keeps the case clients sent). */
export function header(event: ApiEvent, name: string): string | undefined {
  const h = event.headers ?? {};
  const key = Object.keys(h).find((k) => k.toLowerCase() === name);
  return key ? h[key] : undefined;
}

/** Edge checks, before any action runs: size, content type, JSON syntax. */
function parseBody(event: ApiEvent, route: Route): Pick<Ctx, 'body' | 'bodyKind' | 'rawBody'> {
  if (event.body === undefined || event.body === null || event.body === '') return { body: undefined, bodyKind: 'none' };
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    throw new AppError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  const sent = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const type = sent || (route.untypedBody === 'text' ? 'text/plain' : '');
  const rawBody = raw.toString('utf8');
  if (type === 'application/json') {
    try {
      return { body: JSON.parse(rawBody) as unknown, bodyKind: 'json', rawBody };
    } catch {
      throw new AppError('invalid_json');
    }
  }
  if (type === 'text/plain') return { body: rawBody, bodyKind: 'text', rawBody };
  if (type === 'application/x-www-form-urlencoded') {
    return { body: Object.fromEntries(new URLSearchParams(rawBody)), bodyKind: 'form', rawBody };
  }
  throw new AppError('unsupported_media_type');
}

function authenticate(route: Route, event: ApiEvent): User | undefined {
  if (!usesJwtAuthorizer(route.auth)) return undefined;
  const c = config();
  const user = userFromClaims(event.requestContext.authorizer?.jwt?.claims, {
    adminGroupClaim: c.ADMIN_GROUP_CLAIM,
    adminGroup: c.ADMIN_GROUP,
  });
  return route.auth === 'admin' ? requireAdmin(user) : user;
}

/**
 * Who the request's events name (docs/events.md): the signed-in user; on environment-token
 * and callback routes the developer concerned, filled in when the event names them.
 * IP and user agent are API Gateway's own (`requestContext.http`), never a client header.
 */
function eventSource(route: Route, event: ApiEvent, user: User | undefined): EventSource {
  const http = event.requestContext.http;
  const kind = user ? (user.admin ? 'admin' : 'developer') : route.auth === 'envToken' ? 'environment' : 'developer';
  return {
    actor: { kind, ...(user ? { id: user.id } : {}) },
    ...(http?.sourceIp ? { sourceIp: http.sourceIp } : {}),
    ...(http?.userAgent ? { userAgent: http.userAgent } : {}),
  };
}

const BASE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  // The callback URL carries `code` and `state`: never leak it in a Referer.
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  // An API answer opened as a document (a JSON error in a tab, say) may run, load and frame
  // nothing. The UI's files set their own policy (shared/ui/page.ts, shared/ui/serve.ts).
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
};

function toResult(reply: Reply): APIGatewayProxyStructuredResultV2 {
  const headers = { ...BASE_HEADERS, 'cache-control': 'no-store', ...(reply.headers ?? {}) };
  return {
    statusCode: reply.status,
    headers,
    ...(reply.cookies?.length ? { cookies: reply.cookies } : {}),
    ...(reply.body !== undefined ? { body: reply.body } : {}),
    ...(reply.isBase64Encoded ? { isBase64Encoded: true } : {}),
  };
}

export function errorResult(err: unknown): APIGatewayProxyStructuredResultV2 {
  const { status, body } = toErrorResponse(err);
  const headers = { 'content-type': 'application/json; charset=utf-8', ...retryAfterHeader(body.error.code, err) };
  return toResult({ status, headers, body: JSON.stringify(body) });
}

/** Every route of `fn` needs an action: a missing one (or one for another function's route) does not compile. */
export function makeHandler<F extends FunctionName>(fn: F, actions: Record<RouteKeyOf<F>, Action>) {
  const table = new Map(routesOf(fn).map((r) => [routeKey(r), r]));

  const core = async (event: ApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = table.get(event.routeKey);
    if (!route) throw new AppError('not_found');
    // Auth first: an unauthenticated caller learns nothing about body rules.
    const user = authenticate(route, event);
    const { body, bodyKind, rawBody } = parseBody(event, route);
    // Unreachable from TypeScript; a JavaScript caller's gap still answers cleanly.
    const action = (actions as Partial<Record<string, Action>>)[event.routeKey];
    if (!action) throw notImplemented();
    const reply = await withEventSource(eventSource(route, event, user), () => action({
      event,
      route,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
      body,
      bodyKind,
      ...(rawBody !== undefined ? { rawBody } : {}),
      cookies: parseCookies(event.cookies),
      ...(user ? { user } : {}),
      origin: publicOrigin(event),
    }));
    return toResult(reply);
  };

  const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>(core).use({
    onError: async (request) => {
      const err = request.error;
      const mapped = toAppError(err);
      const status = mapped.status;
      const fields = {
        routeKey: request.event?.routeKey,
        status,
        errorCode: mapped.code,
        detail: mapped.detail,
        error: err,
      };
      if (status >= 500) log.error('request failed', fields);
      else log.info('request refused', fields);
      recordFailure(err);
      request.response = errorResult(err);
    },
  });

  // Every answer, success or error, is counted once (metrics/http.ts).
  return async (event: ApiEvent, context: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const started = Date.now();
    const result = await handler(event, context as never);
    recordAnswer(event.routeKey, result.statusCode ?? 200, Date.now() - started);
    return result;
  };
}

/** For actions that need a signed-in user (the route table guarantees it; this narrows the type). */
export function userOf(ctx: Ctx): User {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}
