/**
 * What the Lambda bundles get instead of `@aws-sdk/credential-provider-node`
 * (infra/bundling.ts aliases the package to this file; tests and the local
 * server keep the SDK's default chain). Lambda hands a function its role's
 * credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), the first link of the default chain. The other links
 * (SSO, shared ini files, web identity, container and instance metadata,
 * credential_process) never answer there, and they ship ~130 KB of code,
 * nested STS/SSO clients included, into every function.
 */
interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Same signature as the SDK's `defaultProvider(init)`: a provider the clients call when they sign. */
export const defaultProvider =
  (_init: unknown = {}) =>
  async (): Promise<EnvCredentials> => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): Lambda sets them for the function role');
    }
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };
