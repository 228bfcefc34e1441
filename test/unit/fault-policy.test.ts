/**
 * The two classifiers the fault tier relies on (docs/FAULTS.md), one module each:
 * which AWS failures are worth a 503 (shared/aws/policy.ts), and how a provider's
 * Retry-After is read (shared/providers/http.ts). The fault tier proves them on the wire.
 */
import { unavailable } from '@shared/aws/policy';
import { retryAfterHeader } from '@shared/http/retry-after';
import { ProviderError, providerFetch, retryAfter, type ProviderResponse } from '@shared/providers/http';

/** An error as the SDK throws it after its retries: a name, a fault side, `$metadata`. */
const sdk = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('x'), { name, $metadata: { attempts: 3 }, ...extra });

describe('unavailable: an AWS failure a later retry can fix', () => {
  test.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException', 'TimeoutError'])('%s', (name) => {
    expect(unavailable(sdk(name))).toBe(true);
  });
  test('a reset or refused connection, and an AWS 5xx', () => {
    expect(unavailable(sdk('Error', { code: 'ECONNRESET' }))).toBe(true);
    expect(unavailable(sdk('Error', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(unavailable(sdk('KMSInternalException', { $fault: 'server', $metadata: { httpStatusCode: 500 } }))).toBe(true);
  });
  test('not: a refusal of the request itself, a failed condition, or anything that is not an SDK error', () => {
    expect(unavailable(sdk('ConditionalCheckFailedException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(unavailable(sdk('AccessDeniedException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(unavailable(sdk('InvalidCiphertextException', { $fault: 'client' }))).toBe(false);
    expect(unavailable(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(false); // no $metadata: not the SDK's
    expect(unavailable(undefined)).toBe(false);
    expect(unavailable('ThrottlingException')).toBe(false);
  });
});

describe('retryAfter (RFC 9110 §10.2.3)', () => {
  const res = (value?: string): ProviderResponse => ({ status: 429, headers: new Headers(value === undefined ? {} : { 'retry-after': value }), text: '', json: undefined });
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('seconds, an HTTP date, a date in the past', () => {
    expect(retryAfter(res('2'), now)).toEqual({ retryAfterMs: 2_000 });
    expect(retryAfter(res('0'), now)).toEqual({ retryAfterMs: 0 });
    expect(retryAfter(res('Thu, 01 Jan 2026 00:01:00 GMT'), now)).toEqual({ retryAfterMs: 60_000 });
    expect(retryAfter(res('Wed, 31 Dec 2025 23:00:00 GMT'), now)).toEqual({ retryAfterMs: 0 });
  });
  test('absent or unreadable: no hint', () => {
    for (const v of [undefined, '', 'soon', '-5', '1.5', '99999999999']) expect(retryAfter(res(v), now)).toEqual({});
  });
});

describe('Retry-After on our own answers: only where a later try can help', () => {
  test('a provider that could not be reached: try again in 2 s', () => {
    expect(retryAfterHeader('provider_unreachable', new ProviderError('network', 'provider_unreachable', 'x'))).toEqual({ 'retry-after': '2' });
  });

  test('a host the fetch layer refuses (a config error): no Retry-After', async () => {
    const err = await providerFetch('http://169.254.169.254/', { timeoutMs: 100, allowLoopback: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_unreachable' });
    expect(retryAfterHeader('provider_unreachable', err)).toEqual({});
  });
});
