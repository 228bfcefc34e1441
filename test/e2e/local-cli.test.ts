/**
 * The local server's commands, as a developer runs them: `npm start` (local/server.ts)
 * and `npm run -s token` (local/token.ts), spawned as processes, plus the in-process
 * guards behind them.
 *
 * - The server refuses to start outside local mode (GITLINK_MODE other than `local`,
 *   or inside Lambda) and on a busy port, with one clear line and exit code 1.
 * - The token script signs for the origin the running server recorded in its data
 *   dir (PORT wins when set), and `npm run -s` prints the token alone.
 * - `--no-sandbox` deletes the reserved `sandbox-*` providers an earlier run saved.
 * - A second server on the same data dir exits 1 with one line, touching no file;
 *   a lock left by a killed server is taken over.
 *
 * Each test starts at most one in-process stack at a time, and resets the module
 * registry first: the handler modules build their deps at load time from the
 * environment of the stack that loaded them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocal, type LocalStack } from '../../local/app';
import { removeSandbox, startSandbox } from '../../local/sandbox';
import { createProvider } from '@shared/admin/providers';
import { config } from '@shared/config';
import { createDeps } from '@shared/deps';
import { startTestStack } from '../support/local';
import { freePort } from '../support/moto';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../..');
const tmp = () => mkdtempSync(join(tmpdir(), 'gitlink-cli-'));

/** The environment a developer's shell would have: none of the variables the in-process stacks set. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(GITLINK_|AWS_|PORT$|PUBLIC_URL$|OIDC_|TABLE_NAME$|ALLOW_HTTP_LOOPBACK$|npm_)/.test(k)) delete env[k];
  }
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<Ran> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not exit in ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const JWT_LINE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/;
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function adminProviders(url: string, token: string): Promise<{ status: number; ids: string[] }> {
  const res = await fetch(`${url}/v1/admin/providers`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { providers?: Array<{ id: string }> };
  return { status: res.status, ids: (body.providers ?? []).map((p) => p.id) };
}

let stack: LocalStack | undefined;
beforeEach(() => jest.resetModules());
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('the local server refuses to start outside local mode', () => {
  test('`GITLINK_MODE=aws npm start` exits 1 with a message naming GITLINK_MODE, before touching the data dir', async () => {
    const dataDir = join(tmp(), 'data');
    const r = await run(npx, ['tsx', 'local/server.ts', '--no-sandbox'], shellEnv({ GITLINK_MODE: 'aws', GITLINK_DATA_DIR: dataDir, PORT: '0' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gitlink failed to start: GITLINK_MODE is set to "aws": .*local mode/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack trace
    expect(r.stdout).not.toContain('gitlink is running');
    expect(existsSync(dataDir)).toBe(false);
  });

  test('inside Lambda (AWS_LAMBDA_FUNCTION_NAME) it exits 1 too', async () => {
    const r = await run(npx, ['tsx', 'local/server.ts', '--no-sandbox'], shellEnv({ AWS_LAMBDA_FUNCTION_NAME: 'gitlink-ui', GITLINK_DATA_DIR: join(tmp(), 'data'), PORT: '0' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gitlink failed to start: AWS_LAMBDA_FUNCTION_NAME is set/);
  });

  describe('startLocal rejects in-process', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of ['GITLINK_MODE', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });

    test.each([
      ['GITLINK_MODE', 'aws', /GITLINK_MODE is set to "aws"/],
      ['GITLINK_MODE', 'production', /GITLINK_MODE is set to "production"/],
      ['AWS_LAMBDA_FUNCTION_NAME', 'gitlink-ui', /AWS_LAMBDA_FUNCTION_NAME is set/],
      ['AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x', /AWS_EXECUTION_ENV is set/],
    ])('%s=%s', async (name, value, message) => {
      process.env[name] = value;
      const dataDir = join(tmp(), 'data');
      await expect(startLocal({ port: 0, dataDir, inMemory: true })).rejects.toThrow(message);
      expect(existsSync(dataDir)).toBe(false);
      expect(process.env[name]).toBe(value); // not overwritten with 'local'
    });

    test('GITLINK_MODE=aws passed in the options', async () => {
      delete process.env.GITLINK_MODE;
      await expect(startLocal({ port: 0, dataDir: join(tmp(), 'data'), inMemory: true, env: { GITLINK_MODE: 'aws' } })).rejects.toThrow(/GITLINK_MODE/);
    });

    test('GITLINK_MODE=local is fine', async () => {
      process.env.GITLINK_MODE = 'local';
      stack = await startTestStack();
      expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    });
  });
});

describe('a busy port', () => {
  let blocker: Server;
  afterEach(() => new Promise<void>((r) => blocker.close(() => r())));

  test('gives one clear line and exit 1, not an EADDRINUSE stack trace', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const r = await run(npx, ['tsx', 'local/server.ts', '--no-sandbox'], shellEnv({ PORT: String(port), GITLINK_DATA_DIR: tmp() }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`gitlink failed to start: port ${port} is in use; set PORT=${port + 1} (or another free port), or stop what is using it\n`);
    expect(r.stdout).not.toContain('gitlink is running');
  });

  test('startLocal rejects in-process with the same message', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    await expect(startLocal({ port, dataDir: tmp(), inMemory: true })).rejects.toThrow(`port ${port} is in use; set PORT=`);
  });
});

describe('npm run -s token', () => {
  test('prints only the token, signed for the origin the running server recorded: accepted there as admin', async () => {
    const dataDir = tmp();
    stack = await startTestStack({ dataDir });
    expect(readFileSync(join(dataDir, 'origin'), 'utf8').trim()).toBe(stack.url);
    const r = await run(npm, ['run', '-s', 'token', '--', 'alice', '--admin'], shellEnv({ GITLINK_DATA_DIR: dataDir }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(JWT_LINE); // no npm banner: `T=$(npm run -s token …)` captures the token alone
    const token = r.stdout.trim();
    expect(claimsOf(token).iss).toBe(`${stack.url}/dev`);
    expect((await adminProviders(stack.url, token)).status).toBe(200);
    // Without --admin: a developer, refused on admin routes.
    const dev = await run(npx, ['tsx', 'local/token.ts', 'bob'], shellEnv({ GITLINK_DATA_DIR: dataDir }));
    expect((await adminProviders(stack.url, dev.stdout.trim())).status).toBe(403);
  });

  test('PORT, when set, wins over the recorded origin; with neither, port 8787', async () => {
    const dataDir = tmp();
    stack = await startTestStack({ dataDir });
    const otherPort = stack.port === 8787 ? 8788 : 8787;
    const withPort = await run(npx, ['tsx', 'local/token.ts', 'alice'], shellEnv({ GITLINK_DATA_DIR: dataDir, PORT: String(otherPort) }));
    expect(claimsOf(withPort.stdout.trim()).iss).toBe(`http://localhost:${otherPort}/dev`);
    expect((await fetch(`${stack.url}/v1/providers`, { headers: { authorization: `Bearer ${withPort.stdout.trim()}` } })).status).toBe(401);
    const fresh = await run(npx, ['tsx', 'local/token.ts', 'alice'], shellEnv({ GITLINK_DATA_DIR: tmp() }));
    expect(fresh.code).toBe(0);
    expect(claimsOf(fresh.stdout.trim()).iss).toBe('http://localhost:8787/dev');
  });

  test('refuses outside local mode', async () => {
    const r = await run(npx, ['tsx', 'local/token.ts', 'alice', '--admin'], shellEnv({ GITLINK_MODE: 'aws', GITLINK_DATA_DIR: tmp() }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/GITLINK_MODE/);
  });
});

describe('sandbox providers', () => {
  /** Runs `npm start` once with the sandbox on this data dir (on disk), plus one provider of the admin's own. */
  async function earlierRunWithSandbox(dataDir: string) {
    const first = await startTestStack({ dataDir, inMemory: false, onListening: (s) => startSandbox(s) });
    try {
      const deps = createDeps(config());
      await createProvider(deps, { id: 'work-gitlab', type: 'gitlab', baseUrl: 'https://gitlab.example.com', clientId: 'id', clientSecret: 'secret' }, first.url);
      const ids = (await deps.providers.list()).map((p) => p.id);
      expect(ids.filter((id) => id.startsWith('sandbox-')).length).toBeGreaterThan(0);
      // The fake GitHub on 127.0.0.1 would default to GHES (no PKCE); the sandbox asks for it.
      expect((await deps.providers.get('sandbox-github'))?.pkce).toBe(true);
    } finally {
      await first.close();
    }
  }

  test('in-process: a start without the sandbox, with removeSandbox, lists no sandbox-* provider and keeps the others', async () => {
    const dataDir = tmp();
    await earlierRunWithSandbox(dataDir);
    jest.resetModules();
    let removed: string[] = [];
    stack = await startTestStack({ dataDir, inMemory: false, onListening: async (s) => (removed = await removeSandbox(s)) });
    expect(removed).toEqual(expect.arrayContaining(['sandbox-github', 'sandbox-gitlab']));
    const { status, ids } = await adminProviders(stack.url, await stack.issuer.mint('root', true));
    expect(status).toBe(200);
    expect(ids.filter((id) => id.startsWith('sandbox-'))).toEqual([]);
    expect(ids).toContain('work-gitlab');
  });

  test('`npm start -- --no-sandbox` says what it removed, and its token hint works on another port', async () => {
    const dataDir = tmp();
    await earlierRunWithSandbox(dataDir);
    // node --import tsx rather than npx: one process, so the kill below stops the server itself.
    const server = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts', '--no-sandbox'], { cwd: ROOT, env: shellEnv({ GITLINK_DATA_DIR: dataDir, PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = await untilOutput(server, /Sandbox providers: off[^\n]*\n/);
      expect(out).toMatch(/removed [^\n]*sandbox-github/);
      expect(out).toContain('npm run -s token -- alice --admin');
      const url = /gitlink is running at (http:\/\/localhost:\d+)/.exec(out)![1]!;
      // The data dir's recorded origin (no PORT here) is this run's port.
      const r = await run(npm, ['run', '-s', 'token', '--', 'alice', '--admin'], shellEnv({ GITLINK_DATA_DIR: dataDir }));
      expect(r.stdout).toMatch(JWT_LINE);
      const { status, ids } = await adminProviders(url, r.stdout.trim());
      expect(status).toBe(200);
      expect(ids).toEqual(['work-gitlab']);
    } finally {
      const exited = new Promise((r) => server.once('close', r));
      server.kill('SIGTERM');
      await exited;
    }
  });
});

describe('one server per data dir (local/lock.ts)', () => {
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await exited;
    }));
  });
  /** `npm start`'s server as one process (node --import tsx), so a kill stops the server itself. */
  function spawnServer(dataDir: string, port: number): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/server.ts', '--no-sandbox'], { cwd: ROOT, env: shellEnv({ GITLINK_DATA_DIR: dataDir, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    return child;
  }
  async function startServer(dataDir: string, port = 0): Promise<{ child: ChildProcess; url: string }> {
    const child = spawnServer(dataDir, port);
    const out = await untilOutput(child, /gitlink is running at http:\/\/localhost:\d+/);
    return { child, url: /gitlink is running at (http:\/\/localhost:\d+)/.exec(out)![1]! };
  }
  /** Every file under the data dir with its size and mtime: what "touching no file" means. */
  const snapshot = (dir: string): Record<string, string> => {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else files[p] = `${statSync(p).size}@${statSync(p).mtimeMs}`;
      }
    };
    walk(dir);
    return files;
  };

  test('a second start (on another port) exits 1 with one line naming the running server, and changes no file', async () => {
    const dataDir = tmp();
    const first = await startServer(dataDir);
    const lock = JSON.parse(readFileSync(join(dataDir, 'server.lock'), 'utf8'));
    expect(lock).toEqual({ pid: first.child.pid, origin: first.url });
    const before = snapshot(dataDir);
    const second = await run(npx, ['tsx', 'local/server.ts', '--no-sandbox'], shellEnv({ GITLINK_DATA_DIR: dataDir, PORT: '0' }));
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `gitlink failed to start: a gitlink server already runs for ${dataDir}/ at ${first.url} (pid ${first.child.pid}); stop it first (if it is not gitlink, delete ${dataDir}/server.lock)\n`,
    );
    expect(second.stdout).not.toContain('gitlink is running');
    expect(snapshot(dataDir)).toEqual(before);
    // The first server's tokens still work: `npm run token` signs for its origin.
    const token = await run(npm, ['run', '-s', 'token', '--', 'alice', '--admin'], shellEnv({ GITLINK_DATA_DIR: dataDir }));
    expect((await adminProviders(first.url, token.stdout.trim())).status).toBe(200);
  });

  test('the data dir and everything in it are the owner\'s only (0700 / 0600), also when they pre-exist world-readable', async () => {
    const dataDir = tmp();
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'left-by-an-old-run'), 'x', { mode: 0o644 });
    chmodSync(join(dataDir, 'left-by-an-old-run'), 0o644);
    await startServer(dataDir);
    const loose: string[] = [];
    const walk = (p: string) => {
      const st = statSync(p);
      if ((st.mode & 0o077) !== 0) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    };
    walk(dataDir);
    expect(loose).toEqual([]);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // The database itself is in there, written after the start.
    expect(readdirSync(join(dataDir, 'dynamodb')).length).toBeGreaterThan(0);
  });

  test('a request sent while the server starts is answered once it is ready, never left hanging', async () => {
    const port = await freePort();
    const child = spawnServer(tmp(), port);
    // Knock until the port accepts; the first accepted request lands in start-up's last steps.
    let answer: Response | undefined;
    while (!answer) {
      if (child.exitCode !== null) throw new Error('the server exited');
      answer = await fetch(`http://localhost:${port}/healthz`, { signal: AbortSignal.timeout(20_000) }).catch((e: Error) => {
        if (e.name === 'TimeoutError') throw new Error('a request sent during start-up was never answered');
        return undefined;
      });
      if (!answer) await new Promise((r) => setTimeout(r, 5));
    }
    expect(answer.status).toBe(200);
  });

  test('SIGTERM drains: a request in flight is answered, then the server exits 0 and refuses new connections', async () => {
    const { child, url } = await startServer(tmp());
    const { port } = new URL(url);
    // A request whose body is still arriving when the signal comes.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    const closed = new Promise((r) => socket.once('close', r));
    const body = 'protocol=https\nhost=example.com\n\n';
    // Expect: 100-continue makes the server say when it has parsed the headers: from then on
    // the request is in flight (a connection with no parsed request yet is idle, and closes).
    socket.write(`POST /v1/git/credential HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
    while (!reply.includes('100 Continue')) await new Promise((r) => setTimeout(r, 10));
    socket.write(body.slice(0, 5));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(5));
    await closed;
    // An answer, not a reset: 401, because the request carries no environment token.
    expect(reply).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 401 /);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  test('a lock left by a killed server (or a garbled one) is stale: the next start takes it; a clean stop removes it', async () => {
    const dataDir = tmp();
    const first = await startServer(dataDir);
    const exited = new Promise((r) => first.child.once('close', r));
    first.child.kill('SIGKILL'); // no cleanup ran: the lock stays, naming a dead pid
    await exited;
    expect(JSON.parse(readFileSync(join(dataDir, 'server.lock'), 'utf8')).pid).toBe(first.child.pid);
    const second = await startServer(dataDir);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dataDir, 'server.lock'), 'utf8'))).toEqual({ pid: second.child.pid, origin: second.url });
    const stopped = new Promise((r) => second.child.once('close', r));
    second.child.kill('SIGTERM');
    await stopped;
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);

    writeFileSync(join(dataDir, 'server.lock'), '{"pid":');
    const third = await startServer(dataDir);
    expect((await fetch(`${third.url}/healthz`)).status).toBe(200);
  });
});

function untilOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 45_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolvePromise(out);
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; stdout: ${out} stderr: ${err}`));
    });
  });
}
