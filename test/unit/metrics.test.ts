/**
 * EMF metrics (shared/metrics/): the JSON CloudWatch turns into metrics, written by hand
 * from the format's specification; the answer counts per route, the credential fetch and
 * its latency, throttles, and the events that are metrics.
 */
import { metric, setMetricSink } from '@shared/metrics/emf';
import { recordAnswer, recordFailure } from '@shared/metrics/http';
import { ProviderError } from '@shared/providers/http';

let lines: any[] = [];
beforeEach(() => {
  lines = [];
  setMetricSink((l) => lines.push(JSON.parse(l)));
});
afterAll(() => setMetricSink(undefined));

const names = () => lines.map((l) => [l._aws.CloudWatchMetrics[0].Metrics[0].Name, l._aws.CloudWatchMetrics[0].Dimensions]);

test('one metric is one EMF object: namespace gitlink, a dimensionless rollup and the dimensioned series', () => {
  metric('RefreshFailure', 1, 'Count', { Provider: 'gitlab' }, 1_700_000_000_000);
  expect(lines).toEqual([
    {
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: 'gitlink', Dimensions: [[], ['Provider']], Metrics: [{ Name: 'RefreshFailure', Unit: 'Count' }] }] },
      Provider: 'gitlab',
      RefreshFailure: 1,
    },
  ]);
});

test('answers: 4xx and 5xx per route; the credential route also counts the fetch and its latency; 2xx elsewhere nothing', () => {
  recordAnswer('GET /v1/links', 200, 12);
  recordAnswer('GET /v1/links', 404, 12);
  recordAnswer('DELETE /v1/links/{providerId}', 502, 30);
  recordAnswer('POST /v1/git/credential', 200, 41);
  expect(names()).toEqual([
    ['ClientError', [[], ['Route']]],
    ['ServerError', [[], ['Route']]],
    ['CredentialFetch', [[], ['Outcome']]],
    ['CredentialLatency', [[]]],
  ]);
  expect(lines[0].Route).toBe('GET /v1/links');
  expect(lines[2].Outcome).toBe('served');
  expect(lines[3].CredentialLatency).toBe(41);
});

test('throttles: DynamoDB capacity errors and provider 429s, and nothing else', () => {
  recordFailure(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
  recordFailure(new ProviderError('transient', 'provider_unavailable', 'busy', { providerStatus: 429 }));
  recordFailure(new ProviderError('transient', 'provider_unavailable', 'down', { providerStatus: 503 }));
  recordFailure(new Error('boom'));
  expect(lines.map((l) => [l._aws.CloudWatchMetrics[0].Metrics[0].Name, l.Service])).toEqual([
    ['Throttle', 'dynamodb'],
    ['Throttle', 'provider'],
  ]);
});
