/** A link as its developer (GET /v1/links) and an admin (GET /v1/admin/users/{userId}) see it: never a token. */
import type { LinkSummary } from '../contract/api';
import type { LinkRecord } from '../store/links';

export const linkSummary = (l: LinkRecord): LinkSummary => ({
  providerId: l.providerId,
  login: l.login,
  accountId: l.accountId,
  scopes: l.scopes,
  sshKeyRegistered: !!l.sshKeyId,
  needsRelink: !!l.needsRelink,
  ...(l.relinkReason ? { relinkReason: l.relinkReason } : {}),
  ...(l.expiresAt ? { expiresAt: new Date(l.expiresAt).toISOString() } : {}),
  linkedAt: l.linkedAt,
});
