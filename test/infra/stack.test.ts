/**
 * The synthesized stack matches the design (ARCHITECTURE.md §3b–§6) and is generated
 * from shared/routes.ts and shared/store/schema.ts, not from a second list.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { functionNames, routes, type FunctionName } from '@shared/routes';
import { tableSchema } from '@shared/store/schema';
import { usesJwtAuthorizer } from '@shared/routes';
import { logicalId, synth } from './synth';

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const { stack, template } = synth();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const tableId = logicalId(stack, stack.storage.table);
const tokenKeyId = logicalId(stack, stack.keys.tokenKey);
const signingKeyId = logicalId(stack, stack.keys.signingKey);
const apiId = logicalId(stack, stack.api.httpApi);
const authorizer = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!.Properties as {
  JwtConfiguration: { Issuer: unknown };
};

const arr = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

/** Every statement of every policy attached to the function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const role = logicalId(stack, stack.functions.byName[name].role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && mentions(r.Properties.Roles, role))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (sts: Statement[]) => sts.flatMap((s) => arr(s.Action));
const on = (sts: Statement[], id: string) => sts.filter((s) => mentions(s.Resource, id));

describe('Storage: the table of ARCHITECTURE.md §4, from schema.ts', () => {
  test('on-demand, pk/sk, TTL, PITR, encryption, deletion protection', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  test('gsi1 and gsi2 (refresh due dates, audit by provider) with ALL projection', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('deletionProtection context can turn protection off (string from -c)', () => {
    synth({ deletionProtection: 'false' }).template.hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: false,
    });
  });
});

describe('Keys: two symmetric KMS keys (ARCHITECTURE.md §5)', () => {
  test('rotation on, retained', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    for (const id of [tokenKeyId, signingKeyId]) {
      expect(template.toJSON().Resources[id]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    }
  });

  test('key policies name no function role: grants live only in each role', () => {
    for (const id of [tokenKeyId, signingKeyId]) {
      const policy = resources[id]!.Properties.KeyPolicy as { Statement: Statement[] };
      expect(policy.Statement).toHaveLength(1);
      expect(JSON.stringify(policy.Statement[0]!.Resource)).toBe('"*"');
      expect(JSON.stringify(policy)).toContain(':root');
    }
  });
});

describe('Api: one HttpApi, one route per row of the route table', () => {
  test('one API, one JWT authorizer, no CORS', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        // Cognito's `iss`: https://cognito-idp.{region}.amazonaws.com/{poolId}
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: logicalId(stack, stack.identity.userPool!) }]],
        },
        Audience: [{ Ref: logicalId(stack, stack.identity.client!) }],
      },
    });
  });

  test('route count equals the route table', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
  test.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (routeKey, r) => {
    const found = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }));
    expect(found).toHaveLength(1);
    const props = found[0]!.Properties as Json;
    if (usesJwtAuthorizer(r.auth)) {
      expect(props).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    } else {
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
    }
    // The route reaches the function the table names.
    const integrationId = JSON.stringify(props.Target).match(/"Ref":"([^"]+)"/)![1]!;
    const uri = resources[integrationId]!.Properties.IntegrationUri;
    expect(mentions(uri, logicalId(stack, stack.functions.byName[r.fn]))).toBe(true);
  });

  test('$default stage with access logs and throttling', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('Functions: one Lambda per function name', () => {
  test('no other Lambda (no log-retention or other custom-resource functions)', () => {
    template.resourceCountIs('AWS::Lambda::Function', functionNames.length);
  });

  test.each([...functionNames])('%s: runtime, arm64, memory, timeout, env, log retention', (name) => {
    const fn = resources[logicalId(stack, stack.functions.byName[name])]!;
    const p = fn.Properties as {
      Runtime: string;
      Architectures: string[];
      MemorySize: number;
      Timeout: number;
      Handler: string;
      Environment: { Variables: Json };
      LoggingConfig: { LogGroup: { Ref: string } };
    };
    expect(Number(/^nodejs(\d+)\.x$/.exec(p.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.MemorySize).toBe(512);
    // The scheduled refresh answers no request (its own test below).
    if (name !== 'refresh-scheduler') expect(p.Timeout).toBeLessThan(30);
    expect(p.Handler).toBe('index.handler');
    const env = p.Environment.Variables;
    expect(env).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      TOKEN_KEY_ID: { 'Fn::GetAtt': [tokenKeyId, 'Arn'] },
      SIGNING_KEY_ID: { 'Fn::GetAtt': [signingKeyId, 'Arn'] },
      GITLINK_MODE: 'aws',
      GITLINK_CRYPTO: 'aws',
      ADMIN_GROUP_CLAIM: 'cognito:groups',
      ADMIN_GROUP: 'gitlink-admins',
      OIDC_CLIENT_ID: { Ref: logicalId(stack, stack.identity.client!) },
      NODE_OPTIONS: '--enable-source-maps',
    });
    // The UI signs in against exactly the issuer the authorizer trusts.
    expect(env.OIDC_ISSUER).toEqual(authorizer.JwtConfiguration.Issuer);
    if (name !== 'refresh-scheduler') {
      expect(env.PUBLIC_URL).toBeUndefined();
      // The API's own URL in the env would be a CloudFormation cycle (ARCHITECTURE.md §6).
      expect(mentions(env, apiId)).toBe(false);
    }
    const logGroup = resources[p.LoggingConfig.LogGroup.Ref]!;
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });
});

describe('the scheduled refresh (README "Operations")', () => {
  const fnId = logicalId(stack, stack.functions.byName['refresh-scheduler']);
  const fn = resources[fnId]!.Properties as { Timeout: number; Environment: { Variables: Json } };

  test('an EventBridge rule runs it every 6 hours, without retries', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com' });
  });

  test('5 minutes to work in; the API URL as PUBLIC_URL (no route reaches it, so no cycle); no route', () => {
    expect(fn.Timeout).toBe(300);
    expect(mentions(fn.Environment.Variables.PUBLIC_URL, apiId)).toBe(true);
    expect(routes.filter((r) => (r.fn as string) === 'refresh-scheduler')).toEqual([]);
  });
});

describe('IAM: the shape of every role (the grants themselves: test/infra/iam-grants.test.ts)', () => {
  describe.each([...functionNames])('%s', (name) => {
    const sts = statementsOf(name);

    test('Allow only; no service-wide or wildcard data actions; no Resource "*"', () => {
      expect(sts.every((s) => s.Effect === 'Allow')).toBe(true);
      for (const a of actionsOf(sts)) {
        expect(a).not.toBe('*');
        if (/^(kms|dynamodb|secretsmanager):/.test(a)) expect(a).not.toContain('*');
      }
      for (const s of sts) expect(arr(s.Resource)).not.toContain('*');
    });

    test('logs: its own log group only', () => {
      const logs = sts.filter((s) => arr(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      const own = logicalId(stack, stack.functions.byName[name].logGroup);
      expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [own, 'Arn'] });
    });
  });

  test('no function role carries a managed policy', () => {
    for (const name of functionNames) {
      const role = resources[logicalId(stack, stack.functions.byName[name].role!)]!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('Identity (ARCHITECTURE.md §6)', () => {
  test('default: a Cognito pool, a public PKCE client, the admin group', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid']),
      CallbackURLs: [Match.anyValue()],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'gitlink-admins' });
  });

  test('external issuer: no Cognito, the authorizer trusts the issuer and audience from context', () => {
    const ext = synth({ issuer: 'https://login.example.com/', audience: 'gitlink-ui,gitlink-cli' }).template;
    ext.resourceCountIs('AWS::Cognito::UserPool', 0);
    ext.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.example.com/', Audience: ['gitlink-ui', 'gitlink-cli'] },
    });
    ext.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OIDC_ISSUER: 'https://login.example.com/', OIDC_CLIENT_ID: 'gitlink-ui' }) },
    });
  });

  test('an issuer without an audience is refused', () => {
    expect(() => synth({ issuer: 'https://login.example.com/' })).toThrow(/audience/);
  });
});

describe('custom domain: one origin', () => {
  test('with a domain and certificate the execute-api endpoint is disabled; without, it serves', () => {
    const withDomain = synth({ domain: 'https://git.example.com', certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc' }).template;
    withDomain.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    const plain = synth({}).template;
    plain.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
  });
});

describe('Outputs: every URL an admin needs', () => {
  test('default: API URL, callback, Cognito ids, issuer, table', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of ['Url', 'OAuthCallbackUrl', 'ApiEndpoint', 'UserPoolId', 'OidcClientId', 'OidcIssuer', 'SignInDomain', 'TableName']) {
      expect(outputs[key]).toBeDefined();
    }
    expect(JSON.stringify(outputs.OAuthCallbackUrl!.Value)).toContain('/oauth/callback');
    expect(mentions(outputs.Url!.Value, apiId)).toBe(true);
  });

  test('with a domain: the domain is the URL, the callback, and PUBLIC_URL', () => {
    const d = synth({ domain: 'https://git.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' }).template;
    d.hasOutput('Url', { Value: 'https://git.example.com/' });
    d.hasOutput('OAuthCallbackUrl', { Value: 'https://git.example.com/oauth/callback' });
    const fns = Object.values(d.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(functionNames.length);
    for (const fn of fns) {
      expect((fn.Properties as { Environment: { Variables: Json } }).Environment.Variables.PUBLIC_URL).toBe('https://git.example.com');
    }
    d.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://git.example.com/'] });
  });

  test('a domain without certificateArn is refused: nothing would map it to the API, so its URLs would not resolve', () => {
    expect(() => synth({ domain: 'https://git.example.com' })).toThrow(
      'CDK context "domain" needs "certificateArn": an ACM certificate for git.example.com in the stack\'s region (docs/DEPLOY.md "Custom domain")',
    );
    expect(() => synth({ certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' })).toThrow('CDK context "certificateArn" needs "domain"');
  });

  test('a domain must be a bare https origin', () => {
    expect(() => synth({ domain: 'http://git.example.com' })).toThrow(/https origin/);
    expect(() => synth({ domain: 'https://git.example.com/gitlink' })).toThrow(/https origin/);
    expect(() => synth({ domain: 'git.example.com' })).toThrow(/https origin/);
  });
});

describe('issue 4: only the functions that sign may decrypt the Bitbucket signing key', () => {
  // The functions that start or finish a link, or call a linked provider's API (unlink, SSH-key rotation,
  // offboarding). Listed here, not derived from functionNeeds, so that a wrong row in the table fails this test.
  const signers: FunctionName[] = ['link-start', 'oauth-callback', 'links', 'me', 'admin-users'];
  const purpose = { StringEquals: { 'kms:EncryptionContext:purpose': 'bitbucket-signing' } };

  test('kms:Decrypt on the signing key: exactly the signing functions, each statement conditioned on the purpose', () => {
    const decrypting = functionNames.filter((n) => on(statementsOf(n), signingKeyId).some((s) => arr(s.Action).includes('kms:Decrypt')));
    expect([...decrypting].sort()).toEqual([...signers].sort());
    for (const n of functionNames) for (const s of on(statementsOf(n), signingKeyId)) expect(s.Condition).toEqual(purpose);
  });

  test('no other role gets the key: its key policy names only the account (IAM decides)', () => {
    const policy = resources[signingKeyId]!.Properties.KeyPolicy as { Statement: Array<{ Principal: unknown }> };
    for (const s of policy.Statement) expect(JSON.stringify(s.Principal)).toMatch(/":root"\]\]\}\}$/);
  });
});
