/**
 * A recording pass-through between one function and the emulator (the function's
 * AWS_ENDPOINT_URL). It forwards every request byte for byte, Host header included so
 * the SigV4 signature still verifies, and records which action the function called and
 * what the emulator answered. That record drives the checks "no function needs a
 * permission its role lacks" and "no role has one that no flow used".
 *
 * Two emulator gaps are bridged, and reported as such:
 * - moto answers an IAM denial in XML even on JSON-protocol services; AWS answers
 *   `AccessDeniedException` as JSON there, so the proxy rewrites it (same status, same
 *   message) and the function's SDK sees the error it would see in AWS;
 * - moto 5.2 has no GenerateDataKeyPairWithoutPlaintext: moto still decides whether the
 *   caller may call it (a denial comes back as is), but when it is allowed the key pair is
 *   generated here and its private half encrypted by moto under the requested key and
 *   encryption context, so the function's later kms:Decrypt is moto's own.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { forward } from '../support/forward';
import { REGION, type Emulator } from './emulator';

export interface AwsCall {
  fn: string;
  /** IAM action, e.g. `kms:Decrypt`. */
  action: string;
  status: number;
  /** The error type the function received, if any (e.g. AccessDeniedException). */
  error?: string;
  message?: string;
  /** Answered by the harness's stand-in (the moto gap above). */
  standIn?: boolean;
}

export interface AwsProxy {
  endpoint: string;
  close(): Promise<void>;
}

/** `Credential=AKID/20260101/us-east-1/kms/aws4_request` → `kms`. */
const serviceOf = (h: IncomingHttpHeaders) => /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(h.authorization ?? ''))?.[1] ?? 'unknown';

function actionOf(h: IncomingHttpHeaders, body: Buffer): string {
  const target = h['x-amz-target'];
  const name = typeof target === 'string' ? target.split('.').pop()! : new URLSearchParams(body.toString()).get('Action') ?? 'unknown';
  const service = serviceOf(h);
  return `${service === 'sts' ? 'sts' : service}:${name}`;
}


const xmlField = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

async function standInDataKeyPair(emu: Emulator, input: any): Promise<Record<string, string>> {
  const bits = Number(/^RSA_(\d+)$/.exec(input.KeyPairSpec)?.[1] ?? NaN);
  if (!bits) throw new Error(`stand-in supports RSA key pair specs only, got ${input.KeyPairSpec}`);
  const pair = generateKeyPairSync('rsa', { modulusLength: bits });
  const kms = new KMSClient({ endpoint: emu.endpoint, region: REGION, credentials: emu.admin });
  try {
    const enc = await kms.send(
      new EncryptCommand({ KeyId: input.KeyId, Plaintext: pair.privateKey.export({ type: 'pkcs8', format: 'der' }), EncryptionContext: input.EncryptionContext }),
    );
    return {
      KeyId: enc.KeyId!,
      KeyPairSpec: input.KeyPairSpec,
      PrivateKeyCiphertextBlob: Buffer.from(enc.CiphertextBlob!).toString('base64'),
      PublicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
  } finally {
    kms.destroy();
  }
}

export async function startAwsProxy(fn: string, emu: Emulator, calls: AwsCall[]): Promise<AwsProxy> {
  const target = new URL(emu.endpoint);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const action = actionOf(req.headers, body);
        const json = typeof req.headers['x-amz-target'] === 'string';
        const up = await forward(target, req.method ?? 'POST', req.url ?? '/', req.headers, body);
        const text = up.body.toString();
        const call: AwsCall = { fn, action, status: up.status };
        calls.push(call);
        if (json && up.status === 403 && /<Code>AccessDenied/.test(text)) {
          call.error = 'AccessDeniedException';
          call.message = xmlField(text, 'Message') ?? 'access denied';
          res.writeHead(403, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' });
          return res.end(JSON.stringify({ __type: 'AccessDeniedException', message: call.message }));
        }
        if (action === 'kms:GenerateDataKeyPairWithoutPlaintext' && up.status >= 500) {
          const answer = await standInDataKeyPair(emu, JSON.parse(body.toString()));
          Object.assign(call, { status: 200, standIn: true });
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          return res.end(JSON.stringify(answer));
        }
        if (up.status >= 400) {
          call.error = (JSON.parse(text.startsWith('{') ? text : '{}') as { __type?: string }).__type ?? xmlField(text, 'Code') ?? `HTTP ${up.status}`;
        }
        const headers = { ...up.headers };
        delete headers['transfer-encoding'];
        headers['content-length'] = String(up.body.length);
        res.writeHead(up.status, headers);
        res.end(up.body);
      })().catch((e: unknown) => {
        calls.push({ fn, action: 'proxy', status: 502, error: String(e) });
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
