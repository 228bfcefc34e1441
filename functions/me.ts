/** `me`: the developer's SSH key and environment tokens. */
import type { SshKey } from '@shared/contract/api';
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { createEnvToken, listEnvTokens, revokeEnvToken } from '@shared/env/manage';
import { makeHandler, userOf } from '@shared/http/handler';
import { json, noContent } from '@shared/http/reply';
import { rotateUserKey } from '@shared/ssh/rotate';
import { ensureUserKey } from '@shared/ssh/user-key';

const deps = createDeps(config(), eventBusFor(config()));

export const handler = makeHandler('me', {
  'GET /v1/me/ssh-key': async (ctx) => {
    const key = await ensureUserKey(deps, userOf(ctx).id);
    return json(200, { publicKey: key.publicKey, fingerprint: key.fingerprint, type: 'ed25519', createdAt: key.createdAt } satisfies SshKey);
  },
  'POST /v1/me/ssh-key/rotate': async (ctx) => json(200, await rotateUserKey(deps, userOf(ctx).id, ctx.origin)),
  // The secret is in this answer only; afterwards only its SHA-256 exists.
  'POST /v1/me/tokens': async (ctx) => json(201, await createEnvToken(deps, userOf(ctx).id, ctx.body)),
  'GET /v1/me/tokens': async (ctx) => json(200, { tokens: await listEnvTokens(deps, userOf(ctx).id) }),
  'DELETE /v1/me/tokens/{id}': async (ctx) => {
    await revokeEnvToken(deps, userOf(ctx).id, ctx.params.id);
    return noContent();
  },
});
