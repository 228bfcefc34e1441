/**
 * AWS faults as the services send them on the wire (JSON protocols: KMS, Secrets Manager,
 * DynamoDB, EventBridge), and a moto world for the local server to call through the fault layer:
 * its own table, KMS keys and event bus, so parallel test files sharing moto_server never collide.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { Table } from '@shared/store/table';
import { credentials, region, unique } from '../targets';
import type { Fault, Seen } from './proxy';

/** An AWS JSON-protocol error: HTTP status and `__type`, as KMS/Secrets Manager (1.1) and DynamoDB (1.0) answer. */
export function awsError(type: string, status = 400, message = 'injected by the fault layer'): Fault {
  const json = type.startsWith('com.amazonaws.dynamodb') ? '1.0' : '1.1';
  return {
    kind: 'answer',
    status,
    headers: { 'content-type': `application/x-amz-json-${json}`, 'x-amzn-requestid': 'fault-layer' },
    body: JSON.stringify({ __type: type, message }),
  };
}

export const kmsThrottling = awsError('ThrottlingException', 400, 'Rate exceeded');
export const dynamoThroughput = awsError(
  'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  400,
  'The level of configured provisioned throughput for the table was exceeded.',
);

/** Matches AWS requests of one action, e.g. `kms:Decrypt`, optionally by body content. */
export const action = (name: string, bodyHas?: string) => (r: Seen) => r.action === name && (bodyHas === undefined || r.body.includes(bodyHas));

export interface MotoWorld {
  env: Record<string, string>;
  tableName: string;
}

/** A table, two KMS keys and an event bus in moto; `env` points the local server's AWS clients at `via` (the fault proxy). */
export async function motoWorld(moto: string, via: string): Promise<MotoWorld> {
  const kms = new KMSClient({ endpoint: moto, region, credentials });
  const events = new EventBridgeClient({ endpoint: moto, region, credentials });
  try {
    const busName = unique('faults-bus');
    await events.send(new CreateEventBusCommand({ Name: busName }));
    const tokenKey = await kms.send(new CreateKeyCommand({ Description: 'faults token key' }));
    const signingKey = await kms.send(new CreateKeyCommand({ Description: 'faults signing key' }));
    const tableName = unique('faults');
    await new Table({ tableName, client: new DynamoDBClient({ endpoint: moto, region, credentials }) }).ensureTable();
    return {
      tableName,
      env: {
        GITLINK_CRYPTO: 'aws',
        TOKEN_KEY_ID: tokenKey.KeyMetadata!.KeyId!,
        SIGNING_KEY_ID: signingKey.KeyMetadata!.KeyId!,
        TABLE_NAME: tableName,
        EVENT_BUS_NAME: busName,
        AWS_ENDPOINT_URL: via,
        AWS_ENDPOINT_URL_DYNAMODB: via,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    };
  } finally {
    kms.destroy();
    events.destroy();
  }
}
