/**
 * `git-credential`: the environment-token routes (DESIGN §3b), the hot path.
 * The EnvService is built once per container: it holds the decrypted-credential
 * and provider-list caches that make a warm fetch one DynamoDB read and no KMS call.
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { config } from '../shared/config';
import { createDeps } from '../shared/deps';
import { credentialAction, sshKeyAction, withGitTextDefault } from '../shared/env/http';
import { EnvService } from '../shared/env/service';
import { makeHandler, type ApiEvent } from '../shared/http/handler';

const env = new EnvService(createDeps(config()));

const routes = makeHandler('git-credential', {
  'POST /v1/git/credential': (ctx) => credentialAction(env, ctx),
  'GET /v1/env/ssh-key': (ctx) => sshKeyAction(env, ctx),
});

export const handler = (event: ApiEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
  routes(withGitTextDefault(event), context);
