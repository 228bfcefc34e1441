/** Client secrets in AWS Secrets Manager (SDK v3; endpoint follows `AWS_ENDPOINT_URL`). */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../aws/policy';
import { secretName, type Secrets } from './port';

export interface AwsSecretsOptions {
  client?: SecretsManagerClient;
  endpoint?: string;
  region?: string;
  /** One attempt's timeout (shared/aws/policy.ts); default none. */
  requestTimeoutMs?: number;
  /** Prepended to every name (tests use it to isolate runs); default none. */
  namePrefix?: string;
}

const isNamed = (e: unknown, name: string) => (e as { name?: string }).name === name;

export class AwsSecrets implements Secrets {
  private readonly sm: SecretsManagerClient;
  constructor(private readonly opts: AwsSecretsOptions = {}) {
    this.sm =
      opts.client ??
      new SecretsManagerClient({
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        ...awsClientConfig(opts.requestTimeoutMs),
      });
  }

  private name(providerId: string) {
    return `${this.opts.namePrefix ?? ''}${secretName(providerId)}`;
  }

  async put(providerId: string, secret: string): Promise<void> {
    try {
      await this.sm.send(new PutSecretValueCommand({ SecretId: this.name(providerId), SecretString: secret }));
    } catch (e) {
      if (!isNamed(e, 'ResourceNotFoundException')) throw e;
      await this.sm.send(
        new CreateSecretCommand({
          Name: this.name(providerId),
          SecretString: secret,
          Description: `gitlink OAuth client secret for provider ${providerId}`,
        }),
      );
    }
  }

  async get(providerId: string): Promise<string | undefined> {
    try {
      const out = await this.sm.send(new GetSecretValueCommand({ SecretId: this.name(providerId) }));
      return out.SecretString;
    } catch (e) {
      if (isNamed(e, 'ResourceNotFoundException')) return undefined;
      throw e;
    }
  }

  /**
   * Deleted without a recovery window: a provider deleted and re-created under
   * the same id must be able to store a new secret at once, and a scheduled
   * deletion would block that name for 7–30 days.
   */
  async delete(providerId: string): Promise<void> {
    try {
      await this.sm.send(new DeleteSecretCommand({ SecretId: this.name(providerId), ForceDeleteWithoutRecovery: true }));
    } catch (e) {
      if (!isNamed(e, 'ResourceNotFoundException')) throw e;
    }
  }
}
