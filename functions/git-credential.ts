/**
 * `git-credential`: the environment-token routes (DESIGN §3b), the hot path.
 * The EnvService is built once per container: it holds the decrypted-credential
 * and provider-list caches that make a warm fetch one DynamoDB read and no KMS call.
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config } from '../shared/config';
import { createDeps } from '../shared/deps';
import { credentialAction, sshKeyAction } from '../shared/env/http';
import { EnvService } from '../shared/env/service';
import { makeHandler, type ApiEvent } from '../shared/http/handler';

const env = new EnvService(createDeps(config()));

const routes = makeHandler('git-credential', {
  'POST /v1/git/credential': (ctx) => credentialAction(env, ctx),
  'GET /v1/env/ssh-key': (ctx) => sshKeyAction(env, ctx),
});

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

export const handler = (event: ApiEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
  routes(withGitTextDefault(event), context);
