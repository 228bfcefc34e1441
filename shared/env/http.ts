/**
 * The `git-credential` function's actions: HTTP in, EnvService, HTTP out.
 * A text/plain request (git's own format) gets a text/plain answer in git's
 * format, so `curl --data-binary @- …` can stand in for the helper; JSON gets JSON.
 * Errors are JSON whatever the request (DESIGN §7 "Errors").
 */
import type { Ctx } from '../http/handler';
import { json, type Reply } from '../http/reply';
import { formatGitAttributes } from './git-attributes';
import { parseCredentialRequest } from './request';
import type { EnvService } from './service';
import { bearerToken } from './token';

const authorizationOf = (ctx: Ctx) => {
  const h = ctx.event.headers ?? {};
  const key = Object.keys(h).find((k) => k.toLowerCase() === 'authorization');
  return bearerToken(key ? h[key] : undefined);
};

export async function credentialAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const token = authorizationOf(ctx);
  const req = parseCredentialRequest(ctx.body, ctx.bodyKind);
  const answer = await env.credential(token, req, ctx.origin);
  if (ctx.bodyKind === 'text') {
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: formatGitAttributes({ ...answer }) };
  }
  return json(200, answer);
}

/** `?hostsOnly=true` answers the host lists without the private key (what `gitlink setup` needs). */
export async function sshKeyAction(env: EnvService, ctx: Ctx): Promise<Reply> {
  const hostsOnly = ctx.query.hostsOnly === 'true' || ctx.query.hostsOnly === '1';
  return json(200, await env.sshKey(authorizationOf(ctx), { hostsOnly }));
}
