/**
 * The synthesized stack, running: emulator, resources, one warm process per function
 * with its role's credentials, and the HTTP front. Built from a template (the synthesized
 * one, or a test's modified copy) and the cdk.out folder holding its assets.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startAwsProxy, type AwsCall, type AwsProxy } from './aws-proxy';
import { REGION, startEmulator, type Emulator } from './emulator';
import { startFront, type Front } from './front';
import { nodeBinaryFor } from './node-runtime';
import { createResources, type Created } from './resources';
import { startFunction, type RunningFunction } from './runtime';
import { functionsOf, resolve, type FunctionSpec, type Template } from './template';
import { readTls, type TlsFiles } from './tls';

export interface DeployedStack {
  url: string;
  emulator: Emulator;
  created: Created;
  specs: FunctionSpec[];
  /** By the function's route-table name. */
  fns: Map<string, RunningFunction>;
  /** Every AWS call any function made, in order. */
  calls: AwsCall[];
  issuer: { mint(sub: string, admin?: boolean): Promise<string> };
  close(): Promise<void>;
}

export interface DeployedInputs {
  cdkOut: string;
  issuerUrl: string;
  tls: TlsFiles;
}

/** What run.ts hands the test files through the environment. */
export function inputsFromEnv(): DeployedInputs {
  const need = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: run the deployed tier with \`npm run test:deployed\``);
    return v;
  };
  const tlsDir = need('GITLINK_DEPLOYED_TLS_DIR');
  return {
    cdkOut: need('GITLINK_DEPLOYED_CDK_OUT'),
    issuerUrl: need('GITLINK_DEPLOYED_ISSUER'),
    tls: readTls(tlsDir),
  };
}

async function mintWith(issuerUrl: string, claims: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${issuerUrl}token`, { method: 'POST', body: JSON.stringify({ claims }) });
  return ((await res.json()) as { token: string }).token;
}

export async function startDeployedStack(t: Template, inputs: DeployedInputs): Promise<DeployedStack> {
  const emulator = await startEmulator();
  const closers: Array<() => Promise<void>> = [() => emulator.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const created = await createResources(t, emulator);
    const specs = functionsOf(t, inputs.cdkOut);
    const pseudo = { accountId: emulator.accountId, region: REGION };
    for (const s of specs) {
      created.physical.set(s.logicalId, { ref: s.name, attrs: { Arn: `arn:aws:lambda:${REGION}:${emulator.accountId}:function:${s.name}` } });
    }
    const sts = new STSClient({ endpoint: emulator.endpoint, region: REGION, credentials: emulator.admin });
    const calls: AwsCall[] = [];
    const fnsByLogicalId = new Map<string, RunningFunction>();
    const fns = new Map<string, RunningFunction>();
    await Promise.all(
      specs.map(async (s) => {
        const roleArn = created.physical.get(s.roleLogicalId)!.attrs.Arn!;
        const c = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: s.name, DurationSeconds: 3600 }))).Credentials!;
        const proxy: AwsProxy = await startAwsProxy(s.name, emulator, calls);
        closers.push(() => proxy.close());
        const templateEnv = Object.fromEntries(Object.entries(resolve(s.env, created.physical, pseudo) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        const fn = await startFunction({
          name: s.name,
          assetDir: s.assetDir,
          handler: s.handler,
          nodeBin: nodeBinaryFor(s.runtime).bin,
          timeoutSeconds: s.timeoutSeconds,
          memoryMb: s.memoryMb,
          runtime: s.runtime,
          templateEnv,
          credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
          region: REGION,
          accountId: emulator.accountId,
          harnessEnv: { AWS_ENDPOINT_URL: proxy.endpoint, NODE_EXTRA_CA_CERTS: inputs.tls.caFile },
        });
        closers.push(() => fn.close());
        fnsByLogicalId.set(s.logicalId, fn);
        fns.set(s.name, fn);
      }),
    );
    sts.destroy();
    const front: Front = await startFront(t, fnsByLogicalId, inputs.tls);
    closers.push(() => front.close());
    // The admin group claim and group, as the template configures the functions.
    const env0 = resolve(specs[0]!.env, created.physical, pseudo) as Record<string, string>;
    return {
      url: front.url,
      emulator,
      created,
      specs,
      fns,
      calls,
      issuer: {
        mint: (sub, admin = false) => mintWith(inputs.issuerUrl, { sub, ...(admin ? { [env0.ADMIN_GROUP_CLAIM!]: [env0.ADMIN_GROUP] } : {}) }),
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
