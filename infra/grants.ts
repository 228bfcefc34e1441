/**
 * Least-privilege IAM generated from `functionNeeds` (shared/routes.ts, ARCHITECTURE.md §5):
 * a function gets exactly the grants its row lists, and nothing on the rest.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { FunctionNeeds } from '@shared/routes';
import { SECRET_PREFIX } from '@shared/secrets/port';
import { SIGNING_PURPOSE } from '@shared/crypto/port';
import { nagResource } from './nag';

export interface GrantTargets {
  table: ITable;
  tokenKey: IKey;
  signingKey: IKey;
  bus: IEventBus;
}

/** Only ciphertexts made for Bitbucket signing (ARCHITECTURE.md §5); a stolen role cannot unwrap anything else. */
const signingCondition = { StringEquals: { 'kms:EncryptionContext:purpose': SIGNING_PURPOSE } };

/** `arn:…:secret:gitlink/providers/*`: the trailing `*` covers Secrets Manager's random 6-character suffix. */
export const providerSecretsArn = (scope: Construct): string =>
  Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${SECRET_PREFIX}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/** Grants go to the function's own role, so the cdk-nag acknowledgements sit on the policy they explain. */
export function grantNeeds(role: IRole, needs: FunctionNeeds, t: GrantTargets): void {
  // The row's own actions, not grantReadData/grantReadWriteData: those add Scan, batch writes
  // and DescribeTable, which no function calls.
  if (needs.table?.length) {
    t.table.grant(role, ...needs.table.map((a) => `dynamodb:${a}`));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(role, `${t.table.tableArn}/index/*`)}]`,
      reason: 'Added by table.grant: the wildcard covers only the indexes of this one table (gsi1), which the code queries.',
    });
  }

  // grantEncryptDecrypt would add kms:ReEncrypt* and kms:GenerateDataKey*, which no function
  // calls; the code uses Encrypt and Decrypt only, so grant exactly those.
  if (needs.tokenKey === 'decrypt') t.tokenKey.grantDecrypt(role);
  if (needs.tokenKey === 'encryptDecrypt') t.tokenKey.grant(role, 'kms:Encrypt', 'kms:Decrypt');

  // Signing-key grants are written out (not key.grant*) because key.grant cannot attach conditions.
  const signing = needs.signingKey ?? [];
  if (signing.includes('generate')) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKeyPairWithoutPlaintext'],
        resources: [t.signingKey.keyArn],
        conditions: signingCondition,
      }),
    );
  }
  if (signing.includes('sign')) {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Decrypt'], resources: [t.signingKey.keyArn], conditions: signingCondition }),
    );
  }

  // events:PutEvents on the gitlink bus only.
  if (needs.events) t.bus.grantPutEventsTo(role);

  if (needs.secrets) {
    // Exactly the calls shared/secrets/aws.ts makes (no DescribeSecret, no tags on CreateSecret).
    const read = ['secretsmanager:GetSecretValue'];
    const write = ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'];
    const secretsArn = providerSecretsArn(role);
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: needs.secrets === 'write' ? write : read, resources: [secretsArn] }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(role, secretsArn)}]`,
      reason:
        'Admins add providers at run time, one secret each, so names are unknown at deploy time; the grant is limited to the gitlink/providers/ prefix, and * also matches the random suffix Secrets Manager appends.',
    });
  }
}
