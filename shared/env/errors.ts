/**
 * The credential endpoint's stable error codes (issue 5 §2). The CLI reads
 * `code` (and `linkUrl`) to decide what to tell the developer.
 */
import { AppError, conflict, notFound, unauthorized } from '../errors';

/** The UI page that links one provider: where a developer goes from a terminal. */
export const linkUrlFor = (origin: string, providerId: string) => `${origin}/link/${encodeURIComponent(providerId)}`;

/** One message for every token failure: a caller learns nothing about which part was wrong. */
export const badEnvToken = () => unauthorized('The environment token is missing, malformed, expired or revoked.');

export const noProvider = (host: string) =>
  notFound('no_provider', `No provider is configured for ${host}.`, { host });

export const notLinked = (origin: string, providerId: string, displayName: string) =>
  notFound('not_linked', `You have not linked ${displayName} yet. Open the link URL to link it.`, {
    providerId,
    linkUrl: linkUrlFor(origin, providerId),
  });

export const relinkRequired = (origin: string, providerId: string, displayName: string, reason: string, extra: { movedTo?: string } = {}) =>
  conflict(
    'relink_required',
    extra.movedTo
      ? `${displayName} moved to ${extra.movedTo}; your link was retired with the move. Link it again, and point your remotes at ${extra.movedTo}.`
      : `Your link to ${displayName} no longer works (${reason}). Link it again.`,
    { providerId, reason, linkUrl: linkUrlFor(origin, providerId), ...extra },
  );

export const sshOnly = (providerId: string, displayName: string) =>
  conflict('ssh_only', `${displayName} serves git over SSH only: use SSH (run \`gitlink ssh-key\`).`, { providerId });

export const wrongScheme = (host: string, scheme: string) =>
  new AppError('insecure_protocol', `gitlink answers for ${host} over ${scheme} only.`, { extra: { host } });
