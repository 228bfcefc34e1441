/**
 * Metrics in CloudWatch embedded metric format (EMF): one JSON line on stdout per metric,
 * which Lambda's log stream hands to CloudWatch, where it becomes a metric in namespace
 * `gitlink`. A tiny writer instead of Powertools Metrics: the format is one documented
 * JSON object, and this adds nothing to the bundles (Powertools Metrics would add its
 * package and its own dependencies to every function).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Each metric is written twice over: without dimensions (for the alarms, which watch the
 * whole service) and with its dimensions (for the dashboard, per provider or per route).
 */
import { inLambda } from '../config';

export const NAMESPACE = 'gitlink';

export type Unit = 'Count' | 'Milliseconds';

/** The metric names, written once: the CDK alarms and dashboard read them too (infra/operations.ts). */
export const metricNames = {
  linkCreated: 'LinkCreated',
  linkRemoved: 'LinkRemoved',
  credentialFetch: 'CredentialFetch',
  credentialLatency: 'CredentialLatency',
  refreshSuccess: 'RefreshSuccess',
  refreshFailure: 'RefreshFailure',
  clientError: 'ClientError',
  serverError: 'ServerError',
  throttle: 'Throttle',
  /** An event that could not be put on the bus after every attempt (shared/events/events.ts). */
  eventPublishFailed: 'EventPublishFailed',
} as const;
export type MetricName = (typeof metricNames)[keyof typeof metricNames];

export interface MetricSink {
  (line: string): void;
}

/** Lambda only: locally and in tests nothing is written unless a test installs a sink. */
const stdoutSink: MetricSink = (line) => {
  if (inLambda()) process.stdout.write(`${line}\n`);
};
let sink: MetricSink = stdoutSink;

export function setMetricSink(next: MetricSink | undefined): void {
  sink = next ?? stdoutSink;
}

/** Dimension values come from our own data (provider ids, route keys): bounded and printable. */
export function metric(name: MetricName, value: number, unit: Unit, dimensions: Record<string, string> = {}, now = Date.now()): void {
  const keys = Object.keys(dimensions);
  sink(
    JSON.stringify({
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: keys.length ? [[], keys] : [[]], Metrics: [{ Name: name, Unit: unit }] }],
      },
      ...dimensions,
      [name]: value,
    }),
  );
}
