/** `provider-config`: admin CRUD of providers (ARCHITECTURE.md §3b). Admin JWT only (checked by the route table). */
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { makeHandler } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { parseInput } from '@shared/http/validate';
import { providerId } from '@shared/admin/provider-input';
import {
  adminView,
  confirmSigningKey,
  createProvider,
  deleteProvider,
  getProvider,
  rotateSigningKey,
  updateProvider,
} from '@shared/admin/providers';

const deps = createDeps(config(), eventBusFor(config()));
const idOf = (params: Record<string, string>) => parseInput(providerId, params.id, 'id');

export const handler = makeHandler('provider-config', {
  'GET /v1/admin/providers': async ({ origin }) =>
    json(200, { providers: (await deps.providers.list()).map((p) => adminView(p, origin)) }),
  'POST /v1/admin/providers': async ({ body, origin }) => json(201, await createProvider(deps, body, origin)),
  'GET /v1/admin/providers/{id}': async ({ params, origin }) => json(200, adminView(await getProvider(deps, idOf(params)), origin)),
  'PUT /v1/admin/providers/{id}': async ({ params, body, origin }) => json(200, await updateProvider(deps, idOf(params), body, origin)),
  'DELETE /v1/admin/providers/{id}': async ({ params, origin }) => json(200, await deleteProvider(deps, idOf(params), origin)),
  'POST /v1/admin/providers/{id}/rotate-signing-key': async ({ params, origin }) =>
    json(200, await rotateSigningKey(deps, idOf(params), origin)),
  'POST /v1/admin/providers/{id}/confirm-signing-key': async ({ params, origin }) =>
    json(200, await confirmSigningKey(deps, idOf(params), origin)),
});
