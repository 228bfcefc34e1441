/**
 * `Retry-After` on our own "try again later" answers (docs/FAULTS.md): a 503 when AWS stayed
 * throttled or down through its retries, a 502 when a provider did. Git credential helpers,
 * scripts and browsers then know how long to back off instead of asking again at once.
 */
import type { ErrorCode } from '../errors';

/** The codes a later try can fix; not a refusal (`provider_refused`) or a missing build (`ui_not_built`). */
const TRY_AGAIN = new Set<ErrorCode>(['backend_unavailable', 'provider_unavailable', 'provider_timeout', 'provider_unreachable']);

/** Seconds, when the dependency did not say: AWS has already backed off through 3 attempts. */
export const DEFAULT_RETRY_AFTER_S = 2;
/** A provider asking for longer is answered with this: an hour's `Retry-After` would stall a CI job. */
export const MAX_RETRY_AFTER_S = 60;

/** The provider's own `Retry-After` (ms), on the error or what it wraps (a refresh that kept failing). */
function askedMs(err: unknown): number | undefined {
  let e = err;
  for (let depth = 0; depth < 3 && e && typeof e === 'object'; depth++) {
    const ms = (e as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The header for an error answer with this code, or none. */
export function retryAfterHeader(code: string, err: unknown): { 'retry-after'?: string } {
  if (!TRY_AGAIN.has(code as ErrorCode)) return {};
  // A provider error that says it will never work (a refused host) is not "try again later".
  if (err && typeof err === 'object' && (err as { transient?: unknown }).transient === false) return {};
  const ms = askedMs(err);
  const s = ms === undefined ? DEFAULT_RETRY_AFTER_S : Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(ms / 1000)));
  return { 'retry-after': String(s) };
}
