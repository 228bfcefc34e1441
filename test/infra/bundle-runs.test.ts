/**
 * A shipped bundle works against an AWS endpoint: the `providers` function,
 * built as CDK builds it (ES-module SDK, the environment-only credential
 * provider of infra/bundling.ts), runs in a fresh Node process with only a
 * Lambda's environment and answers `GET /v1/providers` from DynamoDB (moto),
 * signing with the credentials it found in the environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { entryFor } from '../../infra/functions';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProviderStore } from '@shared/store/providers';
import { Table } from '@shared/store/table';
import { awsTargets, credentials, region, reportSkipped, unique } from '../support/targets';
import { projectRoot } from './synth';

const { run, skipped } = awsTargets();
reportSkipped(skipped);

describe.each(run.filter((t) => t.name === 'moto_server'))('the bundled providers function on $name', ({ endpoint }) => {
  let outDir: string;
  let client: DynamoDBClient;
  const tableName = unique('bundle');

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'gitlink-bundle-'));
    await build({ ...esbuildOptions(entryFor('providers'), projectRoot), outfile: join(outDir, 'index.js'), logLevel: 'silent' });
    client = new DynamoDBClient({ endpoint, region, credentials });
    const table = new Table({ tableName, client });
    await table.ensureTable();
    const at = new Date().toISOString();
    await new ProviderStore(table).create({ id: 'gl', type: 'gitlab', displayName: 'GitLab', baseUrl: 'https://gitlab.example.com', clientId: 'c', scopes: [], pkce: true, clientSecretSet: true, createdAt: at, updatedAt: at });
  }, 60_000);
  afterAll(() => {
    client.destroy();
    rmSync(outDir, { recursive: true, force: true });
  });

  const invoke = (env: Record<string, string>) => {
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/providers',
      rawPath: '/v1/providers',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { domainName: 'abc123.execute-api.us-east-1.amazonaws.com', http: { method: 'GET', path: '/v1/providers' }, authorizer: { jwt: { claims: { sub: 'alice' } } } },
    };
    const script = `require(${JSON.stringify(join(outDir, 'index.js'))}).handler(${JSON.stringify(event)}, {}).then((r) => process.stdout.write(JSON.stringify(r)))`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: tmpdir(),
      // Only what Lambda sets (no ~/.aws, no profile): the bundle must find its credentials in the environment.
      env: {
        PATH: process.env.PATH!,
        HOME: outDir,
        AWS_REGION: region,
        AWS_ENDPOINT_URL: endpoint,
        TABLE_NAME: tableName,
        GITLINK_MODE: 'aws',
        GITLINK_CRYPTO: 'aws',
        TOKEN_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/token',
        SIGNING_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/signing',
        LOG_LEVEL: 'SILENT',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      encoding: 'utf8',
    });
    return JSON.parse(out) as { statusCode: number; body: string };
  };

  test('answers from the table with the credentials of the environment', () => {
    const res = invoke({ AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: 'session' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).providers).toEqual([expect.objectContaining({ id: 'gl', type: 'gitlab', linked: false })]);
  });

  test('without credentials in the environment it answers 500 internal', () => {
    const res = invoke({});
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body).error.code).toBe('internal');
  });
});
