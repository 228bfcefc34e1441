/**
 * Operations: what runs on a schedule, and what on-call watches (README "Operations").
 * - the refresh schedule: an EventBridge rule every 6 hours runs refresh-scheduler;
 * - the alarms, each with a runbook line in the README, optionally mailed through an SNS
 *   topic (context `alarmEmail`);
 * - one dashboard.
 * The gitlink metrics are the EMF ones of shared/metrics/emf.ts, by the same names.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { metricNames, NAMESPACE, type MetricName } from '@shared/metrics/emf';
import type { FunctionName } from '@shared/routes';

export interface OperationsProps {
  functions: Record<FunctionName, IFunction>;
  httpApi: HttpApi;
  table: ITable;
  alarmEmail?: string;
}

const gitlink = (name: MetricName, statistic = 'Sum', period = Duration.minutes(5)) =>
  new Metric({ namespace: NAMESPACE, metricName: name, statistic, period });

export class Operations extends Construct {
  readonly refreshSchedule: Rule;
  readonly alarms: Record<'refreshFailureRate' | 'serverErrorRate' | 'lambdaErrors' | 'lambdaThrottles' | 'dynamoThrottles' | 'schedulerFailures', Alarm>;
  readonly dashboard: Dashboard;
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const scheduler = props.functions['refresh-scheduler'];
    this.refreshSchedule = new Rule(this, 'RefreshSchedule', {
      description: 'gitlink: refresh links whose refresh token would expire soon (every 6 hours)',
      schedule: Schedule.rate(Duration.hours(6)),
      // No retry: a failed run is the alarm's business, and the next run picks up what it left.
      targets: [new LambdaFunction(scheduler, { retryAttempts: 0 })],
    });

    // A math expression takes at most 10 metrics: the 10 API functions; the scheduler has its own alarm.
    const api = (Object.entries(props.functions) as Array<[FunctionName, IFunction]>).filter(([n]) => n !== 'refresh-scheduler');
    // Ids unique per expression: a graph showing two of them must not see one id twice.
    const sumOf = (label: string, prefix: string, metrics: IMetric[]) =>
      new MathExpression({ expression: metrics.map((_, i) => `${prefix}${i}`).join(' + '), usingMetrics: Object.fromEntries(metrics.map((m, i) => [`${prefix}${i}`, m])), label, period: Duration.minutes(5) });
    const period = Duration.minutes(5);

    const refreshFailureRate = new MathExpression({
      // At least 5 refreshes, so one failure out of two is not a page.
      expression: 'IF(s + f >= 5, 100 * f / (s + f), 0)',
      usingMetrics: { s: gitlink(metricNames.refreshSuccess, 'Sum', Duration.hours(1)), f: gitlink(metricNames.refreshFailure, 'Sum', Duration.hours(1)) },
      label: 'Refresh failures (%)',
      period: Duration.hours(1),
    });
    const serverErrorRate = new MathExpression({
      expression: 'IF(n >= 20, 100 * e / n, 0)',
      usingMetrics: { e: props.httpApi.metricServerError({ period, statistic: 'Sum' }), n: props.httpApi.metricCount({ period, statistic: 'Sum' }) },
      label: '5xx (%)',
      period,
    });
    const lambdaErrors = sumOf('Lambda errors', 'err', api.map(([, f]) => f.metricErrors({ period, statistic: 'Sum' })));
    const lambdaThrottles = sumOf('Lambda throttles', 'thr', api.map(([, f]) => f.metricThrottles({ period, statistic: 'Sum' })));
    const dynamoThrottles = new MathExpression({
      expression: 'dr + dw',
      usingMetrics: {
        dr: new Metric({ namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensionsMap: { TableName: props.table.tableName }, statistic: 'Sum', period }),
        dw: new Metric({ namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: props.table.tableName }, statistic: 'Sum', period }),
      },
      label: 'DynamoDB throttled requests',
      period,
    });
    const schedulerFailures = new MathExpression({
      expression: 'se + st',
      usingMetrics: { se: scheduler.metricErrors({ period: Duration.hours(6), statistic: 'Sum' }), st: scheduler.metricThrottles({ period: Duration.hours(6), statistic: 'Sum' }) },
      label: 'Scheduled refresh failures',
      period: Duration.hours(6),
    });

    const alarm = (name: string, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1) =>
      new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is no trouble.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${description} Runbook: README "Operations", alarm ${name}.`,
      });
    this.alarms = {
      refreshFailureRate: alarm('RefreshFailureRate', refreshFailureRate, 20, 'At least 20% of token refreshes failed in an hour.'),
      serverErrorRate: alarm('ServerErrorRate', serverErrorRate, 5, 'At least 5% of API answers were 5xx, two 5-minute periods running.', 2),
      lambdaErrors: alarm('LambdaErrors', lambdaErrors, 5, 'The API functions failed (crashed or timed out) 5 times in 5 minutes.'),
      lambdaThrottles: alarm('LambdaThrottles', lambdaThrottles, 1, 'Lambda throttled an API function.'),
      dynamoThrottles: alarm('DynamoThrottles', dynamoThrottles, 1, 'DynamoDB throttled requests to the gitlink table.'),
      schedulerFailures: alarm('SchedulerFailures', schedulerFailures, 1, 'The scheduled refresh failed or was throttled.'),
    };

    if (props.alarmEmail) {
      this.topic = new Topic(this, 'AlarmTopic', { displayName: 'gitlink alarms', enforceSSL: true });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      for (const a of Object.values(this.alarms)) {
        a.addAlarmAction(new SnsAction(this.topic));
        a.addOkAction(new SnsAction(this.topic));
      }
    }

    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 12 });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          graph('API answers', [props.httpApi.metricCount({ period, statistic: 'Sum' }), gitlink(metricNames.clientError), gitlink(metricNames.serverError)]),
          graph('Credential fetches and latency (p50, p99)', [gitlink(metricNames.credentialFetch), gitlink(metricNames.credentialLatency, 'p50'), gitlink(metricNames.credentialLatency, 'p99')]),
        ],
        [
          graph('Token refreshes', [gitlink(metricNames.refreshSuccess), gitlink(metricNames.refreshFailure), refreshFailureRate]),
          graph('Links created and removed', [gitlink(metricNames.linkCreated), gitlink(metricNames.linkRemoved)]),
        ],
        [
          graph('Errors and throttles', [lambdaErrors, lambdaThrottles, dynamoThrottles, gitlink(metricNames.throttle)]),
          graph('Scheduled refresh', [scheduler.metricInvocations({ period: Duration.hours(6), statistic: 'Sum' }), schedulerFailures]),
        ],
      ],
    });
  }
}
