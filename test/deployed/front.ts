/**
 * The HTTP front: an HTTP API (payload format 2.0) built from the template's
 * AWS::ApiGatewayV2::Route, Integration and Authorizer resources alone. Route keys are
 * matched as API Gateway does (exact before parameterised, `{proxy+}` greedy); a JWT
 * route runs the template's authorizer (issuer and audience from the template, the
 * signature checked with jose against the issuer's JWKS from its discovery document) and
 * passes the claims as strings; a route without it gets no claims.
 *
 * It does not prove API Gateway's limits (payload sizes, the 30 s timeout, throttling):
 * see test/deployed/README.md.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { RunningFunction } from './runtime';
import { arr, ofType, type Template } from './template';
import type { TlsFiles } from './tls';

interface FrontRoute {
  routeKey: string;
  method: string;
  re: RegExp;
  names: string[];
  fnLogicalId: string;
  payloadFormat: string;
  jwt?: { issuer: string; audience: string[] };
}

const refOf = (v: any): string | undefined => v?.Ref ?? (Array.isArray(v?.['Fn::Join']?.[1]) ? v['Fn::Join'][1].find((x: any) => x?.Ref)?.Ref : undefined);

export function routesOf(t: Template): FrontRoute[] {
  const integrations = new Map(ofType(t, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, r.Properties!]));
  const authorizers = new Map(ofType(t, 'AWS::ApiGatewayV2::Authorizer').map(([id, r]) => [id, r.Properties!]));
  return ofType(t, 'AWS::ApiGatewayV2::Route').map(([id, r]) => {
    const p = r.Properties!;
    const integ = integrations.get(refOf(p.Target) ?? '');
    if (!integ) throw new Error(`route ${id} (${p.RouteKey}): its Target names no integration of this template`);
    if (integ.IntegrationType !== 'AWS_PROXY') throw new Error(`route ${p.RouteKey}: integration type ${integ.IntegrationType} is not supported by the front`);
    const fnLogicalId = integ.IntegrationUri?.['Fn::GetAtt']?.[0];
    let jwt: FrontRoute['jwt'];
    if (p.AuthorizationType === 'JWT') {
      const a = authorizers.get(p.AuthorizerId?.Ref);
      if (!a || a.AuthorizerType !== 'JWT') throw new Error(`route ${p.RouteKey}: JWT authorization without a JWT authorizer`);
      if (arr(a.IdentitySource).join() !== '$request.header.Authorization') throw new Error(`route ${p.RouteKey}: identity source ${a.IdentitySource} not supported`);
      jwt = { issuer: a.JwtConfiguration.Issuer, audience: arr(a.JwtConfiguration.Audience) };
    } else if (p.AuthorizationType !== 'NONE') {
      throw new Error(`route ${p.RouteKey}: authorization type ${p.AuthorizationType} is not supported by the front`);
    }
    const [method, path] = String(p.RouteKey).split(' ') as [string, string];
    const names: string[] = [];
    const pattern = path
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)(\+?)\}$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { routeKey: p.RouteKey, method, re: new RegExp(`^${pattern}$`), names, fnLogicalId, payloadFormat: integ.PayloadFormatVersion, jwt };
  });
}

/** API Gateway passes JWT claims as strings; arrays become "[a b]". */
const claimStrings = (c: JWTPayload): Record<string, string> =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : v && typeof v === 'object' ? JSON.stringify(v) : String(v)]));

async function discoverJwks(issuer: string) {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  const doc = (await res.json()) as { jwks_uri: string };
  return createRemoteJWKSet(new URL(doc.jwks_uri));
}

/** The authorizer's checks (API Gateway developer guide, "JWT authorizers"): RSA signature by a JWKS key, iss, exp/nbf, then aud or client_id. */
async function authorize(req: IncomingMessage, jwt: NonNullable<FrontRoute['jwt']>, jwks: (issuer: string) => Promise<ReturnType<typeof createRemoteJWKSet>>) {
  const raw = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  if (!raw) return undefined;
  try {
    const { payload } = await jwtVerify(raw, await jwks(jwt.issuer), { issuer: jwt.issuer, algorithms: ['RS256', 'RS384', 'RS512'] });
    const aud = payload.aud === undefined ? [] : arr(payload.aud);
    const ok = aud.length ? aud.some((a) => jwt.audience.includes(a)) : jwt.audience.includes(String(payload.client_id));
    return ok ? payload : undefined;
  } catch {
    return undefined;
  }
}

export interface Front {
  url: string;
  close(): Promise<void>;
}

export async function startFront(t: Template, fns: Map<string, RunningFunction>, tls: TlsFiles): Promise<Front> {
  const table = routesOf(t);
  const keySets = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();
  const jwks = (issuer: string) => {
    if (!keySets.has(issuer)) keySets.set(issuer, discoverJwks(issuer));
    return keySets.get(issuer)!;
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'https://front.invalid');
    const hits = table
      .filter((r) => r.method === req.method || r.method === 'ANY')
      .map((r) => ({ r, m: r.re.exec(url.pathname) }))
      .filter((h) => h.m)
      .sort((a, b) => a.r.names.length - b.r.names.length);
    const hit = hits[0];
    if (!hit) return send(res, 404, { message: 'Not Found' });
    let claims: Record<string, string> | undefined;
    if (hit.r.jwt) {
      const payload = await authorize(req, hit.r.jwt, jwks);
      if (!payload) return send(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      claims = claimStrings(payload);
    }
    const fn = fns.get(hit.r.fnLogicalId);
    if (!fn) return send(res, 500, { message: 'Internal Server Error' });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k !== 'cookie' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const pathParameters: Record<string, string> = {};
    hit.r.names.forEach((n, i) => (pathParameters[n] = decodeURIComponent(hit.m![i + 1]!)));
    const binary = !!headers['content-type'] && !/^(text\/|application\/(json|x-www-form-urlencoded))/i.test(headers['content-type']);
    const now = new Date();
    const domainName = String(req.headers.host);
    const event = {
      version: '2.0',
      routeKey: hit.r.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(req.headers.cookie ? { cookies: req.headers.cookie.split(';').map((c) => c.trim()).filter(Boolean) } : {}),
      ...(url.search ? { queryStringParameters: query } : {}),
      ...(hit.r.names.length ? { pathParameters } : {}),
      ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
      isBase64Encoded: body.length > 0 && binary,
      requestContext: {
        accountId: 'deployed-tier',
        apiId: 'deployed-tier',
        domainName,
        domainPrefix: domainName.split('.')[0],
        http: { method: req.method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress, userAgent: req.headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: hit.r.routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
    };
    const out = await fn.invoke(event);
    // A function error is API Gateway's bare 500: the function's own error never reaches the client.
    if (!out.ok) return send(res, 500, { message: 'Internal Server Error' });
    const r = out.result as any;
    if (!r || typeof r !== 'object' || !('statusCode' in r)) return send(res, 200, r);
    const h: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) h[k] = String(v);
    if (r.cookies?.length) h['set-cookie'] = r.cookies;
    res.writeHead(r.statusCode, h);
    res.end(r.body === undefined ? undefined : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8'));
  };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
