/**
 * Creates the template's resources in the emulator from the template's own properties.
 * Each type either has a creator here, or is listed in `notNeeded` with the reason the
 * functions do not depend on it; any other type fails the tier by name.
 *
 * IAM: each role gets exactly its template statements, resolved, with one rewrite:
 * `Resource` becomes "*" (moto 5.2 matches every KMS and DynamoDB request against "*",
 * so a statement naming an ARN would never match). Conditions are kept; moto ignores
 * the keys it does not know. This makes the tier an action-level proof: the resources
 * and conditions are checked by test/infra/iam-grants.test.ts instead.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, EnableKeyRotationCommand, KMSClient } from '@aws-sdk/client-kms';
import { REGION, type Emulator } from './emulator';
import { arr, resolve, type Physical, type Resource, type Statement, type Template } from './template';

/** Types the functions do not need in the emulator, and why. Printed by the tier. */
export const notNeeded: Record<string, string> = {
  'AWS::Lambda::Function': 'run as local processes from their cdk.out assets (test/deployed/runtime.ts)',
  'AWS::Lambda::Permission': "API Gateway's permission to invoke; the front invokes the functions itself",
  'AWS::ApiGatewayV2::Api': 'the HTTP front is built from the routes, integrations and authorizer (test/deployed/front.ts)',
  'AWS::ApiGatewayV2::Route': 'see AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Integration': 'see AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Authorizer': 'see AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage': 'throttling and access logs are API Gateway limits the tier cannot prove',
  'AWS::Logs::LogGroup': "a function's log is its process's stdout/stderr, captured by the harness",
  'AWS::CDK::Metadata': 'CDK bookkeeping',
  'AWS::Events::Rule': 'the 6-hour schedule of refresh-scheduler; the tier invokes that function itself',
  'AWS::CloudWatch::Alarm': 'watch metrics only; no function reads or writes them',
  'AWS::CloudWatch::Dashboard': 'see AWS::CloudWatch::Alarm',
  'AWS::SNS::Topic': 'where alarms notify (context alarmEmail); no function publishes to it',
  'AWS::SNS::Subscription': 'see AWS::SNS::Topic',
};

export interface Created {
  physical: Map<string, Physical>;
  /** Per role logical id: the statements as the template has them (before the rewrite). */
  statements: Map<string, Statement[]>;
  /** Lines for the tier's output: what was created and how. */
  report: string[];
}

const suffix = () => randomBytes(4).toString('hex').toUpperCase();
const physicalName = (logicalId: string, max = 64) => `Gitlink-${logicalId}`.slice(0, max - 9) + `-${suffix()}`;

/** The harness plays the Lambda service: a trust statement for lambda.amazonaws.com names the harness instead. */
function trustForHarness(doc: any, harnessArn: string): any {
  return {
    ...doc,
    Statement: arr(doc.Statement).map((s: any) =>
      arr(s.Principal?.Service).includes('lambda.amazonaws.com') ? { ...s, Principal: { AWS: harnessArn } } : s,
    ),
  };
}

const forEmulator = (doc: { Statement: Statement | Statement[] }) => ({
  ...doc,
  Statement: arr(doc.Statement).map((s) => ({ ...s, Resource: '*' })),
});

export async function createResources(t: Template, emu: Emulator): Promise<Created> {
  const opts = { endpoint: emu.endpoint, region: REGION, credentials: emu.admin };
  const ddb = new DynamoDBClient(opts);
  const kms = new KMSClient(opts);
  const iam = new IAMClient(opts);
  const events = new EventBridgeClient(opts);
  const physical = new Map<string, Physical>();
  const statements = new Map<string, Statement[]>();
  const report: string[] = [];
  const pseudo = { accountId: emu.accountId, region: REGION };
  const res = (v: unknown) => resolve(v, physical, pseudo);
  const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${emu.accountId}:${rest}`;

  const creators: Record<string, (id: string, p: Record<string, any>) => Promise<void>> = {
    'AWS::DynamoDB::Table': async (id, p) => {
      const name = p.TableName ? res(p.TableName) : physicalName(id, 255);
      await ddb.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: p.BillingMode,
          ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
          ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
          ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
        }),
      );
      if (p.TimeToLiveSpecification?.Enabled) {
        await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }));
      }
      physical.set(id, { ref: name, attrs: { Arn: arn('dynamodb', `table/${name}`) } });
      report.push(`table ${id}: keys ${p.KeySchema.map((k: any) => k.AttributeName).join('/')}, ${arr(p.GlobalSecondaryIndexes).length} GSI, TTL ${p.TimeToLiveSpecification?.AttributeName ?? 'off'}`);
    },
    'AWS::KMS::Key': async (id, p) => {
      const key = (
        await kms.send(
          new CreateKeyCommand({
            Description: p.Description,
            ...(p.KeySpec ? { KeySpec: p.KeySpec } : {}),
            ...(p.KeyUsage ? { KeyUsage: p.KeyUsage } : {}),
            ...(p.KeyPolicy ? { Policy: JSON.stringify(res(p.KeyPolicy)) } : {}),
          }),
        )
      ).KeyMetadata!;
      if (p.EnableKeyRotation) await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId! }));
      physical.set(id, { ref: key.KeyId!, attrs: { Arn: key.Arn!, KeyId: key.KeyId! } });
      report.push(`KMS key ${id} (${p.KeySpec ?? 'SYMMETRIC_DEFAULT'}); its key policy is stored, not evaluated`);
    },
    'AWS::KMS::Alias': async (id, p) => {
      await kms.send(new CreateAliasCommand({ AliasName: res(p.AliasName), TargetKeyId: res(p.TargetKeyId) }));
      physical.set(id, { ref: res(p.AliasName), attrs: {} });
      report.push(`KMS alias ${res(p.AliasName)}`);
    },
    'AWS::IAM::Role': async (id, p) => {
      const name = p.RoleName ? res(p.RoleName) : physicalName(id);
      const role = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify(trustForHarness(res(p.AssumeRolePolicyDocument), emu.adminArn)),
            ...(p.Description ? { Description: res(p.Description) } : {}),
          }),
        )
      ).Role!;
      for (const m of arr(p.ManagedPolicyArns)) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: res(m) }));
      for (const inline of arr(p.Policies as any[])) {
        statements.set(id, [...(statements.get(id) ?? []), ...arr(inline.PolicyDocument.Statement as Statement[])]);
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: inline.PolicyName, PolicyDocument: JSON.stringify(res(forEmulator(inline.PolicyDocument))) }));
      }
      physical.set(id, { ref: name, attrs: { Arn: role.Arn!, RoleId: role.RoleId! } });
    },
    'AWS::IAM::Policy': async (id, p) => {
      for (const r of arr(p.Roles)) {
        const roleId = (r as any).Ref as string;
        statements.set(roleId, [...(statements.get(roleId) ?? []), ...arr(p.PolicyDocument.Statement as Statement[])]);
        await iam.send(new PutRolePolicyCommand({ RoleName: res(r), PolicyName: res(p.PolicyName), PolicyDocument: JSON.stringify(res(forEmulator(p.PolicyDocument))) }));
      }
      physical.set(id, { ref: res(p.PolicyName), attrs: {} });
    },
    'AWS::Events::EventBus': async (id, p) => {
      const name = res(p.Name);
      const bus = await events.send(new CreateEventBusCommand({ Name: name }));
      physical.set(id, { ref: name, attrs: { Arn: bus.EventBusArn!, Name: name } });
      report.push(`event bus ${name}`);
    },
  };

  // Creation order follows what refers to what: data and keys, then roles, then their policies.
  const order = ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::Events::EventBus', 'AWS::IAM::Role', 'AWS::IAM::Policy'];
  const all = Object.entries(t.Resources) as Array<[string, Resource]>;
  const unknown = [...new Set(all.map(([, r]) => r.Type).filter((type) => !creators[type] && !notNeeded[type]))];
  if (unknown.length) {
    throw new Error(`the deployed tier cannot create these resource types in the emulator: ${unknown.join(', ')} (add a creator in test/deployed/resources.ts, or list it in notNeeded with the reason)`);
  }
  try {
    for (const type of order) for (const [id, r] of all.filter(([, x]) => x.Type === type)) await creators[type]!(id, r.Properties ?? {});
  } finally {
    for (const c of [ddb, kms, iam, events]) c.destroy();
  }
  // Resources not created still resolve, so a reference to one (a log group ARN, say) does not stop the tier.
  for (const [id, r] of all.filter(([, x]) => notNeeded[x.Type])) {
    physical.set(id, { ref: id, attrs: { Arn: arn(r.Type.split('::')[1]!.toLowerCase(), `not-created/${id}`) } });
  }
  const skipped = [...new Set(all.map(([, r]) => r.Type).filter((type) => notNeeded[type]))];
  for (const type of skipped) report.push(`not created: ${type}: ${notNeeded[type]}`);
  return { physical, statements, report };
}
