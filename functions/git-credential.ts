/**
 * `git-credential`: the environment-token routes (ARCHITECTURE.md §3b), the hot path.
 * The EnvService is built once per container: it holds the decrypted-credential
 * and provider-list caches that make a warm fetch one DynamoDB read and no KMS call.
 */
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { credentialAction, sshKeyAction } from '@shared/env/http';
import { EnvService } from '@shared/env/service';
import { makeHandler } from '@shared/http/handler';

const env = new EnvService(createDeps(config(), eventBusFor(config())));

export const handler = makeHandler('git-credential', {
  'POST /v1/git/credential': (ctx) => credentialAction(env, ctx),
  'GET /v1/env/ssh-key': (ctx) => sshKeyAction(env, ctx),
});
