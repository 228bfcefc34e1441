/**
 * cdk-nag AwsSolutions passes with every finding either fixed or acknowledged
 * with a reason. cdk-nag 3 is a policy-validation plugin, not an Aspect: it emits
 * no annotations, so the checks run through `validateScope` (its documented test
 * entry point) and through a real synth with the plugin registered as in infra/app.ts.
 */
import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addNagChecks } from '../../infra/nag';
import { synth } from './synth';

const variants: Array<[string, Record<string, unknown>, Environment?]> = [
  ['default (Cognito, no domain)', {}],
  // `cdk synth` with a profile fixes region/account, which changes how findings are spelled.
  ['explicit env (as the CLI passes it)', {}, { account: '111111111111', region: 'eu-west-1' }],
  ['region only (CLI without credentials)', {}, { region: 'us-east-1' }],
  [
    'custom domain + external issuer',
    {
      domain: 'https://git.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
      issuer: 'https://login.example.com/',
      audience: 'gitlink-ui',
    },
  ],
];

/** Every `Validations.acknowledge` in the tree: [construct path, rule id, reason]. */
function acknowledgements(app: App): Array<[string, string, string]> {
  return app.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => [c.node.path, id, reason] as [string, string, string])),
  );
}

describe.each(variants)('AwsSolutions checks: %s', (_name, context, env) => {
  test('no unacknowledged finding', () => {
    const { app } = synth(context, env);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('a synth with the plugin registered (as `cdk synth` runs it) succeeds', () => {
    const { app } = synth(context, env);
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('every acknowledgement is an AwsSolutions rule with a real reason', () => {
    const acks = acknowledgements(synth(context, env).app);
    expect(acks.length).toBeGreaterThan(0);
    for (const [where, id, reason] of acks) {
      expect({ where, id }).toEqual({ where, id: expect.stringMatching(/^(annotation::)?AwsSolutions-[A-Z]+\d+/i) });
      expect({ where, id, reason: reason.trim().length >= 10 }).toEqual({ where, id, reason: true });
    }
  });
});

test('the check can fail: an unacknowledged finding is reported', () => {
  // Guards against a silently empty report (e.g. a plugin that never walks the tree).
  const { app, stack } = synth();
  const report = new AwsSolutionsChecks(app).validateScope(app);
  expect(report.success).toBe(true);
  new Queue(stack, 'Probe');
  const after = new AwsSolutionsChecks(app).validateScope(app);
  expect(after.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3']));

  // And the registered plugin really stops a synth (so `cdk synth` enforces the checks).
  const probe = synth();
  new Queue(probe.stack, 'Probe');
  addNagChecks(probe.app);
  expect(() => probe.app.synth()).toThrow(/AwsSolutions-SQS3|[Vv]alidation/);
});
