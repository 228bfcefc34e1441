/**
 * A developer's environment tokens (`me` function: `GET/POST /v1/me/tokens`,
 * `DELETE /v1/me/tokens/{id}`). The secret is shown once, at creation; only
 * its SHA-256 is stored. Revoking deletes the record, so the next request
 * with that token is refused at once (nothing caches token validity).
 */
import type { EnvToken, NewEnvToken } from '../contract/api';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, MAX_TOKENS_PER_USER } from '../contract/env-tokens';
import * as z from '../zod';
import type { Deps } from '../deps';
import { conflict, notFound } from '../errors';
import { parseInput } from '../http/validate';
import { EnvTokenStore, type EnvTokenRecord } from '../store/env-tokens';
import { formatEnvToken, hashSecret, newSecret, newTokenId, TOKEN_ID_LENGTH } from './token';

// The lifetimes and the cap are the contract's, so the UI offers what this grants.
export { MAX_TOKENS_PER_USER } from '../contract/env-tokens';

// Strict: a client sending e.g. its own `secret` must learn it is not honoured.
export const createTokenInput = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(64), z.regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')),
  expiresInDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(MAX_TOKEN_DAYS))),
});

export const tokenIdParam = z.string().check(z.regex(new RegExp(`^[A-Za-z0-9]{${TOKEN_ID_LENGTH}}$`), 'is not a token id'));

type TokenDeps = Pick<Deps, 'table' | 'now' | 'events'>;

/** The public view: never the secret, nor its hash. */
export const tokenView = (t: EnvTokenRecord): EnvToken => ({
  id: t.tokenId,
  name: t.name,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt ?? null,
  expiresAt: t.expiresAt ?? null,
});

export async function createEnvToken(deps: TokenDeps, userId: string, body: unknown): Promise<NewEnvToken> {
  const input = parseInput(createTokenInput, body);
  const store = new EnvTokenStore(deps.table);
  const tooMany = () => conflict('too_many_tokens', `You have ${MAX_TOKENS_PER_USER} environment tokens; revoke one first.`);
  // Tokens made before numbered places existed hold none: they still count here.
  if ((await store.listForUser(userId)).length >= MAX_TOKENS_PER_USER) throw tooMany();
  const now = deps.now();
  const expiresMs = now + (input.expiresInDays ?? DEFAULT_TOKEN_DAYS) * 86_400_000;
  const tokenId = newTokenId();
  const secret = newSecret();
  const record: EnvTokenRecord = {
    userId,
    tokenId,
    name: input.name,
    secretHash: hashSecret(secret),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(expiresMs).toISOString(),
    ttl: Math.floor(expiresMs / 1000),
  };
  if (!(await store.create(record, MAX_TOKENS_PER_USER))) throw tooMany();
  await deps.events.emit('env_token.created', { subjectUserId: userId, detail: { tokenId, name: record.name, expiresAt: record.expiresAt! } });
  return { ...tokenView(record), token: formatEnvToken({ userId, tokenId, secret }) };
}

export async function listEnvTokens(deps: TokenDeps, userId: string) {
  const tokens = await new EnvTokenStore(deps.table).listForUser(userId);
  return tokens.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(tokenView);
}

export async function revokeEnvToken(deps: TokenDeps, userId: string, id: unknown): Promise<void> {
  const tokenId = parseInput(tokenIdParam, id, 'id');
  const old = await new EnvTokenStore(deps.table).delete(userId, tokenId);
  if (!old) throw notFound('token_not_found', 'No such environment token.');
  await deps.events.emit('env_token.revoked', { subjectUserId: userId, detail: { tokenId, by: 'developer' } });
}
