/**
 * The request metrics (EMF, shared/metrics/emf.ts), recorded by the handler for every
 * answer: 4xx and 5xx per route, credential fetches and their latency, and throttles
 * (DynamoDB refusing for capacity, or a provider answering 429).
 */
import { metric, metricNames } from './emf';

const CREDENTIAL_ROUTE = 'POST /v1/git/credential';
const DYNAMODB_THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

export function recordAnswer(routeKey: string, status: number, elapsedMs: number): void {
  if (status >= 500) metric(metricNames.serverError, 1, 'Count', { Route: routeKey });
  else if (status >= 400) metric(metricNames.clientError, 1, 'Count', { Route: routeKey });
  if (routeKey === CREDENTIAL_ROUTE) {
    metric(metricNames.credentialFetch, 1, 'Count', { Outcome: status < 400 ? 'served' : 'refused' });
    metric(metricNames.credentialLatency, elapsedMs, 'Milliseconds');
  }
}

/** Called with whatever failed a request; counts it when it was a throttle. */
export function recordFailure(err: unknown): void {
  const e = err as { name?: string; providerStatus?: number; cause?: { name?: string; providerStatus?: number } };
  for (const x of [e, e?.cause]) {
    if (x?.name && DYNAMODB_THROTTLES.has(x.name)) return metric(metricNames.throttle, 1, 'Count', { Service: 'dynamodb' });
    if (x?.providerStatus === 429) return metric(metricNames.throttle, 1, 'Count', { Service: 'provider' });
  }
}
