/**
 * The `git-credential` function's actions: HTTP in, EnvService, HTTP out.
 * A request in git's own format (text/plain, form-typed as curl sends by
 * default, or untyped) gets a text/plain answer in git's format, so
 * `curl --data-binary @- …` can stand in for the helper; JSON gets JSON.
 * Errors are JSON whatever the request (DESIGN §7 "Errors").
 *
 * Order of refusals: the edge (size, content type, JSON syntax) runs first;
 * then a bad or missing environment token is 401 before any validation of the
 * attributes (400), so a stranger learns nothing about what the route accepts.
 */
import * as z from 'zod';
import { parseInput } from '../http/validate';
import type { ApiEvent, Ctx } from '../http/handler';
import { json, type Reply } from '../http/reply';
import { formatGitAttributes } from './git-attributes';
import { parseCredentialRequest, type CredentialRequest } from './request';
import type { EnvService } from './service';
import { bearerToken } from './token';

const authorizationOf = (ctx: Ctx) => {
  const h = ctx.event.headers ?? {};
  const key = Object.keys(h).find((k) => k.toLowerCase() === 'authorization');
  return bearerToken(key ? h[key] : undefined);
};

/** The body as sent: the edge decoded a form body into fields, which loses git's newlines. */
function rawBody(ctx: Ctx): string {
  const { body, isBase64Encoded } = ctx.event;
  if (!body) return '';
  return isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

export async function credentialAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const token = authorizationOf(ctx);
  let req: CredentialRequest;
  try {
    req = parseCredentialRequest(ctx.bodyKind === 'form' ? rawBody(ctx) : ctx.body, ctx.bodyKind);
  } catch (e) {
    await env.authenticate(token); // 401 wins over 400 (one read, on the refusal path only)
    throw e;
  }
  const answer = await env.credential(token, req, ctx.origin);
  if (ctx.bodyKind === 'text' || ctx.bodyKind === 'form') {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: formatGitAttributes({ ...answer }) };
  }
  return json(200, answer);
}

/** A value other than these is a 400, never a silent "no" that would answer the private key. */
const sshKeyQuery = z.object({ hostsOnly: z.enum(['true', '1', 'false', '0']).optional() });

/** `?hostsOnly=true` answers the host lists without the private key (what `gitlink setup` needs). */
export async function sshKeyAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const { hostsOnly } = parseInput(sshKeyQuery, ctx.query, 'query');
  return json(200, await env.sshKey(authorizationOf(ctx), { hostsOnly: hostsOnly === 'true' || hostsOnly === '1' }));
}

/**
 * An untyped body on `POST /v1/git/credential` is git's `key=value` text.
 * The shared edge refuses a body without a content type (415), which is right
 * for the JSON routes; but this route's input is git's own format, and the
 * simplest clients (`nc`, a shell script, `fetch` with a Blob) send it with no
 * type at all. So on this route only, such a body is labelled `text/plain`
 * before the edge runs (which still enforces the size limit). Nothing else changes:
 * other routes, and other content types here, keep the edge's answers.
 */
export function withGitTextDefault(event: ApiEvent): ApiEvent {
  if (event.routeKey !== 'POST /v1/git/credential' || !event.body) return event;
  const headers = event.headers ?? {};
  const typed = Object.keys(headers).filter((k) => k.toLowerCase() === 'content-type');
  if (typed.some((k) => headers[k]?.trim())) return event;
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => !typed.includes(k)));
  return { ...event, headers: { ...rest, 'content-type': 'text/plain' } };
}
