/**
 * The `git-credential` function's actions: HTTP in, EnvService, HTTP out.
 * A request in git's own format (text/plain, form-typed as curl sends by
 * default, or untyped) gets a text/plain answer in git's format, so
 * `curl --data-binary @- …` can stand in for the helper; JSON gets JSON.
 * Errors are JSON whatever the request (ARCHITECTURE.md §7 "Errors").
 *
 * Order of refusals: the edge (size, content type, JSON syntax) runs first;
 * then a bad or missing environment token is 401 before any validation of the
 * attributes (400), so a stranger learns nothing about what the route accepts.
 */
import * as z from '../zod';
import { parseInput } from '../http/validate';
import { header, type Ctx } from '../http/handler';
import { json, type Reply } from '../http/reply';
import { formatGitAttributes } from '../contract/git-attributes';
import { parseCredentialRequest, type CredentialRequest } from './request';
import type { EnvService } from './service';
import { bearerToken } from './token';

const authorizationOf = (ctx: Ctx) => bearerToken(header(ctx.event, 'authorization'));

export async function credentialAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const token = authorizationOf(ctx);
  let req: CredentialRequest;
  try {
    req = parseCredentialRequest(ctx.bodyKind === 'form' ? (ctx.rawBody ?? '') : ctx.body, ctx.bodyKind);
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
const sshKeyQuery = z.object({ hostsOnly: z.optional(z.enum(['true', '1', 'false', '0'])) });

/** `?hostsOnly=true` answers the host lists without the private key (what `gitlink setup` needs). */
export async function sshKeyAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const { hostsOnly } = parseInput(sshKeyQuery, ctx.query, 'query');
  return json(200, await env.sshKey(authorizationOf(ctx), { hostsOnly: hostsOnly === 'true' || hostsOnly === '1' }));
}
