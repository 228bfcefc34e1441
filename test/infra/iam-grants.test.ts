/**
 * The grants of every function, written out here by hand, independently of
 * shared/routes.ts (functionNeeds) and infra/grants.ts which generate them: a wrong row
 * there fails here. Each statement is checked with its resource and condition, which the
 * deployed tier (test/deployed/) cannot check: moto evaluates actions only.
 */
import { functionNames, type FunctionName } from '@shared/routes';
import { logicalId, synth } from './synth';

const { stack, template } = synth();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const table = logicalId(stack, stack.storage.table);
const tokenKey = logicalId(stack, stack.keys.tokenKey);
const signingKey = logicalId(stack, stack.keys.signingKey);
const bus = logicalId(stack, stack.events.bus);

// The resources, as CloudFormation spells them.
const TABLE = [{ 'Fn::GetAtt': [table, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/*']] }];
const TOKEN_KEY = { 'Fn::GetAtt': [tokenKey, 'Arn'] };
const SIGNING_KEY = { 'Fn::GetAtt': [signingKey, 'Arn'] };
const SECRETS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:gitlink/providers/*']] };
const BUS = { 'Fn::GetAtt': [bus, 'Arn'] };
const PURPOSE = { StringEquals: { 'kms:EncryptionContext:purpose': 'bitbucket-signing' } };

/** A table grant of exactly these calls (DynamoDB's own names), on the table and its indexes. */
const tableCalls = (...calls: string[]): Grant => ({ actions: calls.map((c) => `dynamodb:${c}`).sort(), resource: TABLE });

interface Grant {
  actions: string[];
  resource: unknown;
  condition?: unknown;
}
const tokenDecrypt: Grant = { actions: ['kms:Decrypt'], resource: TOKEN_KEY };
const tokenBoth: Grant = { actions: ['kms:Decrypt', 'kms:Encrypt'], resource: TOKEN_KEY };
const sign: Grant = { actions: ['kms:Decrypt'], resource: SIGNING_KEY, condition: PURPOSE };
const generate: Grant = { actions: ['kms:GenerateDataKeyPairWithoutPlaintext'], resource: SIGNING_KEY, condition: PURPOSE };
// Lifecycle events, on the gitlink bus only (docs/events.md).
const publish: Grant = { actions: ['events:PutEvents'], resource: BUS };
const secretRead: Grant = { actions: ['secretsmanager:GetSecretValue'], resource: SECRETS };
// Admins set and delete client secrets; nothing ever reads one back out through the admin API.
const secretWrite: Grant = { actions: ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:PutSecretValue'], resource: SECRETS };

/** Why each row is what it is: the calls each function's flows make (proven call by call by test/deployed). */
const expected: Record<FunctionName, Grant[]> = {
  ui: [],
  // Two Queries: the providers, and the developer's links.
  providers: [tableCalls('Query')],
  // UpdateItem: a provider's move retires its links.
  'provider-config': [tableCalls('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'), generate, secretWrite, publish],
  // Starting a link needs no client secret, and announces nothing.
  // It reads the provider and writes the state, nothing else.
  'link-start': [tableCalls('GetItem', 'PutItem'), tokenBoth, sign],
  // The state is consumed by a delete; no Query.
  'oauth-callback': [tableCalls('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'), tokenBoth, sign, secretRead, publish],
  // Unlink refreshes an expiring token and must save it: encrypt too (issue 10 item 4).
  links: [tableCalls('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'), tokenBoth, sign, secretRead, publish],
  me: [tableCalls('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'), tokenBoth, sign, secretRead, publish],
  // A refresh on the credential path publishes token.refreshed.
  // The only BatchGetItem (the warm fetch); a Query loads the provider list; never a delete.
  'git-credential': [tableCalls('BatchGetItem', 'GetItem', 'Query', 'UpdateItem', 'PutItem'), tokenBoth, secretRead, publish],
  // Offboarding unlinks as `links` does, and deletes tokens and the key pair.
  'admin-users': [tableCalls('GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'), tokenBoth, sign, secretRead, publish],
  // The audit is read by Query only.
  audit: [tableCalls('Query')],
  // OAuth 2.0 refreshes only (no signing key); never deletes.
  'refresh-scheduler': [tableCalls('GetItem', 'Query', 'PutItem', 'UpdateItem'), tokenBoth, secretRead, publish],
};

/** A statement's ARNs with the account/region/partition spelled the way `formatArn` does. */
const normalise = (v: unknown) =>
  JSON.parse(
    JSON.stringify(v)
      .replace(/"arn:aws:secretsmanager:[^:"]+:"/g, '"arn:",{"Ref":"AWS::Partition"},":secretsmanager:",{"Ref":"AWS::Region"},":"')
      .replace(/"arn:",\{"Ref":"AWS::Partition"\},":secretsmanager:",\{"Ref":"AWS::Region"\},":",/g, '"arn:",{"Ref":"AWS::Partition"},":secretsmanager:",{"Ref":"AWS::Region"},":",'),
  );

function grantsOf(name: FunctionName): Grant[] {
  const role = logicalId(stack, stack.functions.byName[name].role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>)
    .filter((s) => ![s.Action].flat().every((a) => a.startsWith('logs:')))
    .map((s) => ({ actions: [s.Action].flat().sort(), resource: normalise(s.Resource), ...(s.Condition ? { condition: s.Condition } : {}) }));
}

const key = (g: Grant) => JSON.stringify(g);

describe('IAM: every function has exactly the grants written here (ARCHITECTURE.md §5)', () => {
  test('the table covers every function', () => {
    expect(Object.keys(expected).sort()).toEqual([...functionNames].sort());
  });

  test.each([...functionNames])('%s: actions, resources and conditions', (name) => {
    const want = expected[name].map((g) => ({ ...g, resource: normalise(g.resource) })).map(key).sort();
    expect(grantsOf(name).map(key).sort()).toEqual(want);
  });
});
