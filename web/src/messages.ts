/**
 * Human messages for the codes the OAuth callback sends back as `?error=` (shared/links/callback.ts).
 * `p` is the provider's display name (or "the provider" when unknown).
 */
const linkErrors: Record<string, (p: string) => string> = {
  access_denied: (p) => `You declined the request at ${p}, so nothing was linked.`,
  invalid_state: () => 'This link attempt expired or was already used. Start the link again from this page.',
  browser_mismatch: () =>
    'This link attempt was started in another browser or session, so gitlink refused it for your safety. Start the link again from this page.',
  unknown_provider: () => 'That provider is not configured in gitlink. Ask an admin to add it.',
  exchange_failed: (p) =>
    `${p} did not accept the authorization. Try again; if it keeps failing, ask an admin to check the provider's client ID and secret.`,
  identity_failed: (p) => `gitlink could not read your account details from ${p}. Try again.`,
  account_mismatch: (p) =>
    `You are already linked to a different ${p} account. Unlink it first if you want to link this one instead.`,
  link_conflict: () => 'Your link changed while this attempt was finishing (another tab?). Reload the page to see where it stands.',
  provider_timeout: (p) => `${p} did not answer in time. Try again in a moment.`,
  provider_unreachable: (p) => `gitlink could not reach ${p}. Try again later, or ask an admin to check its address.`,
  provider_unavailable: (p) => `${p} is temporarily unavailable. Try again later.`,
  provider_error: (p) => `${p} reported an error while linking. Try again; if it keeps failing, ask an admin.`,
  invalid_request: () => 'The answer from the provider was incomplete. Start the link again from this page.',
  internal: () => 'Something went wrong on our side. Try again in a moment.',
};

export function linkErrorMessage(code: string, providerName: string | undefined): string {
  const p = providerName ?? 'the provider';
  const msg = linkErrors[code];
  return msg ? msg(p) : `Linking failed (${code}). Try again; if it keeps failing, ask an admin.`;
}

export const linkWarnings: Record<string, (p: string) => string> = {
  ssh_key_failed: (p) =>
    `Your SSH key could not be registered with ${p}, so git over SSH will not work there yet. Rotate your SSH key below to try again.`,
};

/**
 * Where a developer revokes gitlink's access by hand, per provider type, when the provider
 * offers no revocation API (README: Configure Bitbucket …). Such tokens may live for years
 * (Bitbucket Server: 5), so the report must not suggest they go away on their own.
 */
const revokeByHand: Record<string, string> = {
  'bitbucket-server': 'your avatar → Manage account → Authorized applications → gitlink → Revoke access',
  'bitbucket-dc': 'your profile → Authorized applications → gitlink → Revoke access',
  'bitbucket-cloud': 'Personal settings → App authorizations → gitlink → Revoke',
};

/** One line per unlink step, for the report after Unlink. */
export function unlinkStep(step: 'sshKey' | 'token', result: string, error?: string, provider?: { displayName: string; type: string }): string {
  const what = step === 'sshKey' ? 'SSH key removed from the provider' : 'Access token revoked at the provider';
  const name = provider?.displayName ?? 'this provider';
  switch (result) {
    case 'ok':
      return `${what}: done.`;
    case 'failed':
      return `${what}: failed${error ? ` (${error})` : ''}. Remove it by hand in the provider's settings.`;
    case 'unsupported':
      if (step === 'token') {
        const where = (provider && revokeByHand[provider.type]) ?? 'your account settings → Authorized applications';
        return `${what}: not supported by ${name}. The token stays valid until you revoke gitlink's access in ${name}: ${where}.`;
      }
      return `${what}: not supported by ${name}. Remove it by hand in the provider's settings.`;
    default:
      return `${what}: nothing to do.`;
  }
}

export const rotationStatus: Record<string, string> = {
  rotated: 'new key registered, old key removed',
  failed: 'failed',
  rolled_back: 'new key withdrawn again (another provider failed)',
  old_key_kept: 'new key registered; the old key could not be removed',
};
