/**
 * One function as Lambda runs it: its asset copied to a fresh task root (so nothing of the
 * repository can be found beside it), one warm Node process of the template's major
 * version running test/deployed/bootstrap.cjs, and a Lambda Runtime API server in the
 * harness that hands it one invocation at a time.
 *
 * Its environment is built from nothing (never the developer's shell): the template's
 * variables, resolved; the variables the Lambda runtime itself sets; the role's temporary
 * credentials; and two harness variables, AWS_ENDPOINT_URL (the recording proxy in front
 * of the emulator) and NODE_EXTRA_CA_CERTS (the test CA of the https fakes and issuer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from './emulator';

export interface Observed {
  envReads: Set<string>;
  /** Absolute path → whether it existed when the function touched it. */
  files: Map<string, boolean>;
}

export interface RunningFunction {
  name: string;
  taskRoot: string;
  env: Record<string, string>;
  /** Everything the process wrote to stdout and stderr: its CloudWatch log, as it were. */
  log(): string;
  observed: Observed;
  invoke(event: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: { errorType: string; errorMessage: string } }>;
  close(): Promise<void>;
}

export interface FunctionProcess {
  name: string;
  assetDir: string;
  handler: string;
  nodeBin: string;
  timeoutSeconds: number;
  memoryMb: number;
  runtime: string;
  /** The template's variables, resolved. */
  templateEnv: Record<string, string>;
  credentials: Credentials;
  region: string;
  accountId: string;
  harnessEnv: Record<string, string>;
}

interface Pending {
  id: string;
  event: unknown;
  settle: (r: Awaited<ReturnType<RunningFunction['invoke']>>) => void;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });

export async function startFunction(spec: FunctionProcess): Promise<RunningFunction> {
  const taskRoot = join(mkdtempSync(join(tmpdir(), `gitlink-task-${spec.name}-`)), 'task');
  cpSync(spec.assetDir, taskRoot, { recursive: true });
  const observed: Observed = { envReads: new Set(), files: new Map() };
  const queue: Pending[] = [];
  let waiting: ServerResponse | undefined;
  let current: Pending | undefined;
  let initError: string | undefined;
  let out = '';

  const hand = () => {
    if (!waiting || current || !queue.length) return;
    current = queue.shift()!;
    const res = waiting;
    waiting = undefined;
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': current.id,
      'lambda-runtime-deadline-ms': String(Date.now() + spec.timeoutSeconds * 1000),
      'lambda-runtime-invoked-function-arn': `arn:aws:lambda:${spec.region}:${spec.accountId}:function:${spec.name}`,
      'lambda-runtime-trace-id': `Root=1-${randomUUID().replace(/-/g, '').slice(0, 8)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    });
    res.end(JSON.stringify(current.event));
  };

  const server = createServer((req, res) => {
    void read(req).then((body) => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
        waiting = res;
        return hand();
      }
      if (url === '/harness/observed') {
        const o = JSON.parse(body) as { envReads: string[]; files: Array<[string, boolean]> };
        for (const k of o.envReads) observed.envReads.add(k);
        for (const [p, e] of o.files) observed.files.set(p, e);
        return res.writeHead(202).end();
      }
      if (url === '/2018-06-01/runtime/init/error') {
        initError = body;
        return res.writeHead(202).end();
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (m && current && current.id === m[1]) {
        const done = current;
        current = undefined;
        done.settle(m[2] === 'response' ? { ok: true, result: JSON.parse(body) } : { ok: false, error: JSON.parse(body) });
        res.writeHead(202).end();
        return hand();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const runtimeApi = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    ...spec.templateEnv,
    // Set by the Lambda runtime in every function (Lambda developer guide, "Defined runtime environment variables").
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `deployed-tier/${randomUUID()}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
    ...(spec.credentials.sessionToken ? { AWS_SESSION_TOKEN: spec.credentials.sessionToken } : {}),
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: __dirname,
    _HANDLER: spec.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    ...spec.harnessEnv,
  };
  const child: ChildProcess = spawn(spec.nodeBin, [join(__dirname, 'bootstrap.cjs')], { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const take = (c: Buffer) => (out = (out + c.toString()).slice(-2_000_000));
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', (code) => {
    for (const p of [current, ...queue.splice(0)].filter(Boolean) as Pending[]) {
      p.settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `process exited with ${code}; init error: ${initError ?? 'none'}` } });
    }
    current = undefined;
  });

  return {
    name: spec.name,
    taskRoot,
    env,
    log: () => out,
    observed,
    invoke: (event) =>
      new Promise((settle) => {
        if (child.exitCode !== null) return settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `not running; init error: ${initError ?? 'none'}` } });
        queue.push({ id: randomUUID(), event, settle });
        hand();
      }),
    close: async () => {
      if (child.exitCode === null) child.kill();
      await exited;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
