/**
 * The IAM-enforcing AWS emulator. moto_server with INITIAL_NO_AUTH_ACTION_COUNT=3: the
 * first three calls are unsigned (they create the harness's admin user, its policy and its
 * access key); from then on moto requires credentials it issued and evaluates their
 * policies. With GITLINK_DEPLOYED_TARGET=localstack the tier uses AWS_ENDPOINT_URL instead
 * (LocalStack started with ENFORCE_IAM=1; its default `test` keys are the account root).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { freePort, waitUp } from '../support/moto';

export const REGION = 'us-east-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Emulator {
  name: string;
  endpoint: string;
  accountId: string;
  /** The harness's own principal: it creates the resources and plays the Lambda service. */
  admin: Credentials;
  adminArn: string;
  /** moto's own output (for debugging a failed run). */
  log: () => string;
  close(): Promise<void>;
}

const UNSIGNED_BOOTSTRAP_CALLS = 3;

async function bootstrapAdmin(endpoint: string): Promise<{ admin: Credentials; adminArn: string; accountId: string }> {
  const iam = new IAMClient({ endpoint, region: REGION, credentials: { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' } });
  try {
    const user = (await iam.send(new CreateUserCommand({ UserName: 'gitlink-deployed-harness' }))).User!;
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user.UserName!,
        PolicyName: 'harness',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user.UserName! }))).AccessKey!;
    return {
      admin: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      adminArn: user.Arn!,
      accountId: user.Arn!.split(':')[4]!,
    };
  } finally {
    iam.destroy();
  }
}

export async function startEmulator(): Promise<Emulator> {
  if (process.env.GITLINK_DEPLOYED_TARGET === 'localstack') {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    if (!endpoint) throw new Error('GITLINK_DEPLOYED_TARGET=localstack needs AWS_ENDPOINT_URL (e.g. http://localhost:4566)');
    return {
      name: `LocalStack at ${endpoint} (IAM enforcement is LocalStack's ENFORCE_IAM=1 setting)`,
      endpoint,
      accountId: '000000000000',
      admin: { accessKeyId: 'test', secretAccessKey: 'test' },
      adminArn: 'arn:aws:iam::000000000000:root',
      log: () => '',
      close: async () => undefined,
    };
  }
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(UNSIGNED_BOOTSTRAP_CALLS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUp(`${endpoint}/moto-api/`, 20_000);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}: is moto_server (moto 5.x with its server) installed?\n${out}`);
  }
  return {
    name: `moto_server with IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT=${UNSIGNED_BOOTSTRAP_CALLS})`,
    endpoint,
    ...(await bootstrapAdmin(endpoint)),
    log: () => out,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
