/**
 * Operations in the stack (README "Operations"): the alarms issue 14 lists, each named and
 * with its runbook pointer, the one dashboard, and the SNS topic only with context
 * `alarmEmail`. Expectations written by hand; and a cross-check that every metric of our
 * namespace the alarms and the dashboard read is one the code emits when run (the local
 * stack at the fake GitLab), not just a name both sides import.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { setMetricSink } from '@shared/metrics/emf';
import type { LocalStack } from '../../local/app';
import { startFakeGitLab } from '../providers/gitlab';
import { addProvider, askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
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

/** A metric as CloudWatch keys it: namespace, name and the names of its dimensions. */
const metricKey = (namespace: string, name: string, dimensions: string[]) => `${namespace} ${name} [${[...dimensions].sort().join(',')}]`;

/** The metrics of our own namespace the template reads: the alarms' and the dashboard's. */
function watchedMetrics(): string[] {
  const out = new Set<string>();
  for (const a of alarms()) {
    for (const m of ids(a.Properties)) {
      const stat = m.MetricStat as { Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string }> } } | undefined;
      if (stat && !stat.Metric.Namespace.startsWith('AWS/')) out.add(metricKey(stat.Metric.Namespace, stat.Metric.MetricName, (stat.Metric.Dimensions ?? []).map((d) => d.Name)));
    }
  }
  // The body is a Fn::Join of JSON text and tokens (Refs), each inside a JSON string: a placeholder keeps it JSON.
  const body = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody;
  const text = (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  for (const w of JSON.parse(text).widgets as Array<{ properties: { metrics?: unknown[][] } }>) {
    for (const row of w.properties.metrics ?? []) {
      // [namespace, name, dimName, dimValue, …, {options}]; a math expression row starts with its options.
      if (typeof row[0] !== 'string' || row[0].startsWith('AWS/')) continue;
      const strings = row.filter((x): x is string => typeof x === 'string');
      out.add(metricKey(strings[0]!, strings[1]!, strings.slice(2).filter((_, i) => i % 2 === 0)));
    }
  }
  return [...out].sort();
}

describe('the alarms and the dashboard read metrics the code really emits', () => {
  let stack: LocalStack;
  const emitted = new Set<string>();

  // Runs the code, not a list of names: the local stack over real HTTP, at the fake GitLab,
  // through a link, a refresh that works, one the provider throttles, a refusal and an unlink.
  beforeAll(async () => {
    setMetricSink((line) => {
      const m = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
      for (const d of m._aws.CloudWatchMetrics) for (const x of d.Metrics) for (const dims of d.Dimensions) emitted.add(metricKey(d.Namespace, x.Name, dims));
    });
    stack = await startTestStack();
    const gl = await startFakeGitLab();
    stack.onClose(() => gl.close());
    const admin = await Browser.signIn(stack, 'root', true);
    await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
    const ask = { protocol: 'http', host: gitHost(gl.url) };
    // Linked with a token that expires in a minute: inside gitlink's refresh window, so the next fetch refreshes.
    gl.behavior.accessTokenTtlSeconds = 60;
    const alice = await Browser.signIn(stack, 'alice');
    await link(alice, 'gitlab');
    expect((await askCredential(stack, await newEnvToken(alice), ask)).status).toBe(200);
    const bob = await Browser.signIn(stack, 'bob');
    await link(bob, 'gitlab');
    gl.behavior.tokenStatus = 429;
    expect((await askCredential(stack, await newEnvToken(bob), ask)).status).toBeGreaterThanOrEqual(500);
    gl.behavior.tokenStatus = null;
    expect((await alice.api('DELETE', '/v1/links/not-a-provider')).status).toBe(404);
    expect((await alice.api('DELETE', '/v1/links/gitlab')).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    setMetricSink(undefined);
    await stack?.close();
  });

  test('every metric of the gitlink namespace an alarm or the dashboard reads is emitted, with the dimensions it reads', () => {
    const watched = watchedMetrics();
    // Not vacuous: the refresh failure rate alarm's two, and the dashboard's own.
    expect(watched).toEqual(expect.arrayContaining(['gitlink RefreshFailure []', 'gitlink RefreshSuccess []', 'gitlink CredentialLatency []']));
    expect(watched.filter((m) => !emitted.has(m))).toEqual([]);
  });
});

void Match;
