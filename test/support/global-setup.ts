/**
 * Jest global setup: starts `moto_server` (KMS, Secrets Manager, DynamoDB on one
 * port, LocalStack-style) on a free port for the over-the-wire tier, and records
 * what the tests can use in environment variables the workers inherit:
 *
 * - MOTO_ENDPOINT: the moto URL, or unset when moto_server is absent;
 * - MOTO_SKIP_REASON: why the moto targets are skipped;
 * - MOTO_HAS_DATA_KEY_PAIR: `1` if this moto implements GenerateDataKeyPairWithoutPlaintext.
 *
 * GITLINK_REQUIRE_MOTO=1 (set by .ci/run) turns a missing moto into a failure.
 */
import type { ChildProcess } from 'node:child_process';
import { hasMotoServer, startMoto } from './moto';

declare global {
  // eslint-disable-next-line no-var
  var __MOTO__: ChildProcess | undefined;
}

async function probeDataKeyPair(endpoint: string): Promise<boolean> {
  const { KMSClient, CreateKeyCommand, GenerateDataKeyPairWithoutPlaintextCommand } = await import('@aws-sdk/client-kms');
  const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const key = await kms.send(new CreateKeyCommand({}));
  try {
    await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyMetadata!.KeyId!, KeyPairSpec: 'RSA_2048' }));
    return true;
  } catch {
    return false;
  } finally {
    kms.destroy();
  }
}

export default async function globalSetup() {
  // Lambda runs Node 22; this machine's Node 20 would make every SDK client warn.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Keep test output readable; tests that check logs capture them with setLogSink.
  process.env.LOG_LEVEL ??= 'SILENT';
  if (!hasMotoServer()) {
    const reason = 'moto_server is not installed (pip install "moto[server]")';
    if (process.env.GITLINK_REQUIRE_MOTO === '1') throw new Error(`GITLINK_REQUIRE_MOTO=1 but ${reason}`);
    process.env.MOTO_SKIP_REASON = reason;
    return;
  }
  const { endpoint, child } = await startMoto();
  globalThis.__MOTO__ = child;
  process.env.MOTO_ENDPOINT = endpoint;
  process.env.MOTO_HAS_DATA_KEY_PAIR = (await probeDataKeyPair(endpoint)) ? '1' : '0';
}
