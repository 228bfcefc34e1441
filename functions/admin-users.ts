/** `admin-users`: one developer's links and tokens, and offboarding in one call. Admin JWT only (the route table). */
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { eventBusFor } from '@shared/events/eventbridge';
import { describeUser, offboardUser } from '@shared/admin/users';
import { USER_ID } from '@shared/auth/user';
import { makeHandler } from '@shared/http/handler';
import { json } from '@shared/http/reply';
import { parseInput } from '@shared/http/validate';
import * as z from '@shared/zod';

const deps = createDeps(config(), eventBusFor(config()));
const userIdParam = z.string().check(z.regex(USER_ID, 'is not a user id'));
const idOf = (params: Record<string, string>) => parseInput(userIdParam, params.userId, 'userId');

export const handler = makeHandler('admin-users', {
  'GET /v1/admin/users/{userId}': async ({ params }) => json(200, await describeUser(deps, idOf(params))),
  'DELETE /v1/admin/users/{userId}': async ({ params, origin }) => json(200, await offboardUser(deps, idOf(params), origin)),
});
