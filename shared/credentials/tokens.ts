/**
 * Tokens at rest: each one KMS-encrypted under `{app, userId, providerId, field}`
 * (ARCHITECTURE.md §5), so a ciphertext copied into another user's item cannot be decrypted.
 */
import type { Crypto } from '../crypto/port';
import { AppError } from '../errors';
import type { TokenSet } from '../providers/types';
import { MOVED, type LinkRecord } from '../store/links';

export const tokenContext = (userId: string, providerId: string, field: string) => ({ app: 'gitlink', userId, providerId, field });

export async function encryptTokens(crypto: Crypto, userId: string, providerId: string, tokens: TokenSet) {
  const [accessTokenCt, refreshTokenCt] = await Promise.all([
    crypto.encrypt(tokens.accessToken, tokenContext(userId, providerId, 'accessToken')),
    tokens.refreshToken ? crypto.encrypt(tokens.refreshToken, tokenContext(userId, providerId, 'refreshToken')) : undefined,
  ]);
  return { accessTokenCt, ...(refreshTokenCt ? { refreshTokenCt } : {}) };
}

export async function decryptTokens(crypto: Crypto, link: Pick<LinkRecord, 'userId' | 'providerId' | 'accessTokenCt' | 'refreshTokenCt' | 'expiresAt'>): Promise<TokenSet> {
  // Deleted when the provider moved to another origin (shared/admin/provider-move.ts): never used again.
  if (!link.accessTokenCt) throw new AppError('relink_required', `The link needs relinking (${MOVED}).`, { extra: { reason: MOVED } });
  const [access, refresh] = await Promise.all([
    crypto.decrypt(link.accessTokenCt, tokenContext(link.userId, link.providerId, 'accessToken')),
    link.refreshTokenCt ? crypto.decrypt(link.refreshTokenCt, tokenContext(link.userId, link.providerId, 'refreshToken')) : undefined,
  ]);
  return {
    accessToken: access.toString('utf8'),
    ...(refresh ? { refreshToken: refresh.toString('utf8') } : {}),
    ...(link.expiresAt ? { expiresAt: link.expiresAt } : {}),
  };
}
