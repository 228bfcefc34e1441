/**
 * Operations in the stack (README "Operations"): the alarms issue 14 lists, each named and
 * with its runbook pointer, the one dashboard, and the SNS topic only with context
 * `alarmEmail`. Expectations written by hand.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synth } from './synth';

const { stack, template } = synth();
const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: any }>;
const byDescription = (start: string) => alarms().find((a) => String(a.Properties.AlarmDescription).startsWith(start))!.Properties;
const ids = (p: any) => (p.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string } } }>);
const metricsOf = (p: any) => ids(p).filter((m) => m.MetricStat).map((m) => `${m.MetricStat!.Metric.Namespace} ${m.MetricStat!.Metric.MetricName}`);
const expressionOf = (p: any) => ids(p).find((m) => m.Expression)!.Expression;

describe('alarms (issue 14 item 4), each with a runbook line', () => {
  test('six alarms, no more, each pointing at its README runbook line, none breaching on missing data', () => {
    expect(alarms()).toHaveLength(6);
    for (const a of alarms()) {
      expect(a.Properties.AlarmDescription).toMatch(/Runbook: README "Operations", alarm (RefreshFailureRate|ServerErrorRate|LambdaErrors|LambdaThrottles|DynamoThrottles|SchedulerFailures)\.$/);
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  test('refresh failure rate: gitlink RefreshFailure over RefreshSuccess + RefreshFailure, 20% in an hour, at least 5 refreshes', () => {
    const p = byDescription('At least 20% of token refreshes');
    expect(p.Threshold).toBe(20);
    expect(metricsOf(p).sort()).toEqual(['gitlink RefreshFailure', 'gitlink RefreshSuccess']);
    expect(expressionOf(p)).toBe('IF(s + f >= 5, 100 * f / (s + f), 0)');
    expect(ids(p).find((m) => m.MetricStat)!.MetricStat).toMatchObject({ Period: 3600, Stat: 'Sum' });
  });

  test('5xx rate: the HTTP API 5xx over its count, 5%, two periods', () => {
    const p = byDescription('At least 5% of API answers');
    expect([p.Threshold, p.EvaluationPeriods]).toEqual([5, 2]);
    expect(metricsOf(p).sort()).toEqual(['AWS/ApiGateway 5xx', 'AWS/ApiGateway Count']);
  });

  test('Lambda errors and throttles: the sum over the 10 API functions', () => {
    const errors = byDescription('The API functions failed');
    expect(metricsOf(errors)).toEqual(Array(10).fill('AWS/Lambda Errors'));
    expect(errors.Threshold).toBe(5);
    const throttles = byDescription('Lambda throttled');
    expect(metricsOf(throttles)).toEqual(Array(10).fill('AWS/Lambda Throttles'));
    expect(throttles.Threshold).toBe(1);
  });

  test('DynamoDB throttles: read and write throttle events of the table', () => {
    const p = byDescription('DynamoDB throttled');
    expect(metricsOf(p).sort()).toEqual(['AWS/DynamoDB ReadThrottleEvents', 'AWS/DynamoDB WriteThrottleEvents']);
    const table = logicalId(stack, stack.storage.table);
    for (const m of ids(p).filter((x) => x.MetricStat)) expect(m.MetricStat!.Metric).toMatchObject({ Dimensions: [{ Name: 'TableName', Value: { Ref: table } }] });
  });

  test("the scheduled function's failures: its errors and throttles over 6 hours", () => {
    const p = byDescription('The scheduled refresh failed');
    expect(metricsOf(p).sort()).toEqual(['AWS/Lambda Errors', 'AWS/Lambda Throttles']);
    const fn = logicalId(stack, stack.functions.byName['refresh-scheduler']);
    for (const m of ids(p).filter((x) => x.MetricStat)) {
      expect(m.MetricStat).toMatchObject({ Period: 21600, Metric: { Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }] } });
    }
  });
});

describe('dashboard and notifications', () => {
  test('one dashboard, with the gitlink metrics on it', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const m of ['CredentialLatency', 'CredentialFetch', 'RefreshSuccess', 'RefreshFailure', 'LinkCreated', 'LinkRemoved', 'ServerError', 'ClientError', 'Throttle']) {
      expect(body).toContain(`\\"${m}\\"`);
    }
  });

  test('no SNS topic without alarmEmail, and the alarms notify nobody', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const a of alarms()) expect(a.Properties.AlarmActions).toBeUndefined();
  });

  test('with alarmEmail: a topic, that address subscribed, every alarm notifying it on alarm and on recovery', () => {
    const t = synth({ alarmEmail: 'oncall@example.com' }).template;
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    const topic = Object.keys(t.findResources('AWS::SNS::Topic'))[0]!;
    const all = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(all).toHaveLength(6);
    for (const a of all) expect([a.Properties.AlarmActions, a.Properties.OKActions]).toEqual([[{ Ref: topic }], [{ Ref: topic }]]);
  });

  test('alarmEmail must be an address', () => {
    expect(() => synth({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
  });
});

void Match;
