/**
 * Human messages for what the UI shows: link results (`?error=` / `?warning=` from the OAuth
 * callback, shared/links/callback.ts) come from the contract's list, so server and UI agree.
 */
import { errorMessage, isErrorCode, linkWarningMessage } from '@shared/contract/errors';
import type { ProviderRotation, RotationReport } from '@shared/contract/api';
import { describeType } from '@shared/contract/provider-types';

/** `providerName` is the provider's display name (or "the provider" when unknown). */
export function linkErrorMessage(code: string, providerName: string | undefined): string {
  // A code this UI does not know (a newer server): still say what happened, and name it.
  if (!isErrorCode(code)) return `Linking failed (${code}). Try again; if it keeps failing, ask an admin.`;
  return errorMessage(code, providerName);
}

export const linkWarning = (code: string, providerName: string): string | undefined => linkWarningMessage(code, providerName);

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
        // Such tokens may live for years (Bitbucket Server: 5): never suggest they go away on their own.
        const where = (provider && describeType(provider.type).hints.revokeByHand) ?? 'your account settings → Authorized applications';
        return `${what}: not supported by ${name}. The token stays valid until you revoke gitlink's access in ${name}: ${where}.`;
      }
      return `${what}: not supported by ${name}. Remove it by hand in the provider's settings.`;
    default:
      return `${what}: nothing to do.`;
  }
}

const rotationStatus: Record<ProviderRotation['status'], string> = {
  rotated: 'new key registered, old key removed',
  failed: 'failed',
  rolled_back: 'new key withdrawn again (another provider failed)',
  old_key_kept: "new key registered; the old key could not be removed and still works there: delete it in the provider's SSH key settings",
};

/**
 * The banner after a rotation. A provider that kept the old key makes it a warning that names
 * it: the old key still opens that account, so "rotated" alone would be a false comfort.
 */
export function rotationBanner(r: RotationReport, nameOf: (providerId: string) => string = (id) => id): { kind: 'success' | 'warning' | 'error'; title: string; lines: string[] } {
  const lines = r.providers.map((p) => `${nameOf(p.providerId)}: ${rotationStatus[p.status] ?? p.status}${p.error ? ` (${p.error})` : ''}.`);
  if (!r.rotated) return { kind: 'error', title: 'SSH key not rotated: your old key stays in use', lines };
  const kept = r.providers.filter((p) => p.status === 'old_key_kept').map((p) => nameOf(p.providerId));
  if (kept.length) return { kind: 'warning', title: `SSH key rotated, but the old key is still registered at ${kept.join(', ')}`, lines };
  return { kind: 'success', title: 'SSH key rotated', lines };
}
