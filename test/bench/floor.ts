/**
 * The floor of a function's bundle: the SDK clients its `functionNeeds` row
 * says it uses, one call each, and nothing else, built with the same esbuild
 * settings as the function (infra/bundling.ts). A function without AWS needs
 * (ui) has an empty handler as its floor.
 */
import type { FunctionNeeds } from '@shared/routes';

type Client = 'dynamodb' | 'kms' | 'secretsmanager';

const clientCode: Record<Client, { imports: string; make: string; call: string }> = {
  dynamodb: {
    imports: "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
    make: 'const dynamodb = new DynamoDBClient({});',
    call: "await dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'p' } } }));",
  },
  kms: {
    imports: "import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';",
    make: 'const kms = new KMSClient({});',
    call: 'await kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(1) }));',
  },
  secretsmanager: {
    imports: "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    make: 'const secrets = new SecretsManagerClient({});',
    call: "await secrets.send(new GetSecretValueCommand({ SecretId: 's' }));",
  },
};

export function floorClients(needs: FunctionNeeds): Client[] {
  return [
    ...(needs.table ? (['dynamodb'] as const) : []),
    ...(needs.tokenKey || needs.signingKey?.length ? (['kms'] as const) : []),
    ...(needs.secrets ? (['secretsmanager'] as const) : []),
  ];
}

/** The floor handler's source (TypeScript, resolved from the project root). */
export function floorSource(clients: Client[]): string {
  const c = clients.map((k) => clientCode[k]);
  return [
    ...c.map((x) => x.imports),
    ...c.map((x) => x.make),
    'export const handler = async () => {',
    ...c.map((x) => `  ${x.call}`),
    "  return { statusCode: 200, body: '' };",
    '};',
    '',
  ].join('\n');
}
