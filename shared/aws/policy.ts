/**
 * How every AWS SDK client gitlink builds calls AWS (docs/FAULTS.md): at most
 * `AWS_MAX_ATTEMPTS` attempts per call, the SDK's standard retry mode between them
 * (exponential backoff with full jitter; throttling errors back off from a longer base),
 * and each attempt cut after `AWS_REQUEST_TIMEOUT_MS` without an answer. Without a
 * timeout the SDK waits for a hung connection until Lambda kills the function.
 *
 * `unavailable` tells a failure that trying again later can fix (throttling, a timeout,
 * a reset, an AWS 5xx) from every other error: the edge answers it `503 backend_unavailable`
 * instead of `500 internal` (shared/errors.ts).
 */

export const AWS_MAX_ATTEMPTS = 3;

/** The client settings: spread into every SDK client's constructor. */
export function awsClientConfig(requestTimeoutMs: number | undefined) {
  return {
    maxAttempts: AWS_MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the SDK only logs a warning at the timeout and keeps waiting.
    ...(requestTimeoutMs ? { requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: requestTimeoutMs, throwOnRequestTimeout: true } } : {}),
  };
}

/** Error names AWS uses for "slow down" (KMS, Secrets Manager, DynamoDB, EventBridge). */
const THROTTLES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);
/** What the SDK's HTTP handler throws when a connection hangs, resets or is refused. */
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

interface SdkError {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/** An AWS SDK failure that is the service's state, not the request's: worth a later retry. */
export function unavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object' || !('$metadata' in err)) return false;
  const e = err as SdkError;
  if (e.name && (THROTTLES.has(e.name) || TIMEOUTS.has(e.name))) return true;
  if (e.code && NETWORK.has(e.code)) return true;
  return e.$fault === 'server' && (e.$metadata?.httpStatusCode ?? 500) >= 500;
}
