/**
 * The built CLI as git runs it, against a stub gitlink server (no stack):
 * - git's attribute list ends at a blank line OR end of input (git-credential(1)
 *   "INPUT/OUTPUT FORMAT"), so a caller that writes `…\n\n` and keeps stdin
 *   open must still get an answer, and the helper must exit;
 * - `credential.helper=gitlink` resolves to `git-credential-gitlink` on PATH
 *   (gitcredentials(7)), so the build ships extensionless executables too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildCli } from '../../cli/build';
import { readStdin } from '../../cli/lib/io';

let cli: { 'git-credential-gitlink': string; gitlink: string };
let server: Server;
let url: string;
let tmp: string;
const seen: Array<{ auth?: string; body: string }> = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-cli-stdin-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ username: 'oauth2', password: 'tok-123', password_expiry_utc: 4102444800 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cli = await buildCli(join(tmp, 'dist'));
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('readStdin: the attribute list ends at a blank line or end of input', () => {
  test('resolves at the first blank line without waiting for end of input, and releases the stream', async () => {
    const input = new PassThrough();
    const read = readStdin(1024, input);
    input.write('protocol=https\nhost=x');
    input.write('\n\nafter=ignored\n');
    await expect(read).resolves.toBe('protocol=https\nhost=x\n\n');
    expect(input.destroyed).toBe(true);
  });

  test('a blank line split across chunks', async () => {
    const input = new PassThrough();
    const read = readStdin(1024, input);
    input.write('protocol=https\n');
    await new Promise((r) => setImmediate(r));
    input.write('\n');
    await expect(read).resolves.toBe('protocol=https\n\n');
  });

  test('an empty list (a blank first line)', async () => {
    const input = new PassThrough();
    const read = readStdin(1024, input);
    input.write('\nprotocol=https\n');
    await expect(read).resolves.toBe('');
  });

  test('end of input without a blank line', async () => {
    const input = new PassThrough();
    const read = readStdin(1024, input);
    input.end('protocol=https\nhost=x\n');
    await expect(read).resolves.toBe('protocol=https\nhost=x\n');
  });

  test('too much input without a blank line is refused', async () => {
    const input = new PassThrough();
    const read = readStdin(16, input);
    input.write('protocol=https\nhost=a-very-long-host.example\n');
    await expect(read).rejects.toThrow('input too large');
    expect(input.destroyed).toBe(true);
  });
});

/** Runs the built helper, writes `input` and keeps stdin OPEN, as a caller waiting for the answer may. */
function helperKeepingStdinOpen(op: string, input: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [cli['git-credential-gitlink'], op], { env: { PATH: process.env.PATH ?? '', HOME: tmp, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.stdin.write(input); // and never end()
  const guard = setTimeout(() => child.kill('SIGKILL'), 10_000); // a hang guard, not a timing assertion
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

describe('the built helper does not wait for end of input', () => {
  test('get: answers and exits after `…\\n\\n` with stdin left open', async () => {
    seen.length = 0;
    const r = await helperKeepingStdinOpen('get', 'protocol=https\nhost=x\n\n', { GITLINK_URL: url, GITLINK_TOKEN: 'glk_t' });
    expect(r).toEqual({ code: 0, signal: null, stdout: 'username=oauth2\npassword=tok-123\npassword_expiry_utc=4102444800\n', stderr: '' });
    expect(seen).toEqual([{ auth: 'Bearer glk_t', body: JSON.stringify({ protocol: 'https', host: 'x' }) }]);
  });

  test.each(['store', 'erase', 'something-new'])('%s: exits at once with stdin left open', async (op) => {
    const r = await helperKeepingStdinOpen(op, 'protocol=https\nhost=x\nusername=oauth2\npassword=p\n\n', {});
    expect(r).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
  });
});

describe('extensionless executables for `credential.helper=gitlink`', () => {
  test.each(['git-credential-gitlink', 'gitlink'])('%s: same bytes as the .js, 0755, with the node shebang', (name) => {
    const bare = join(dirname(cli.gitlink), name);
    expect(statSync(bare).mode & 0o777).toBe(0o755);
    expect(statSync(`${bare}.js`).mode & 0o777).toBe(0o755);
    const text = readFileSync(bare, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toBe(readFileSync(`${bare}.js`, 'utf8'));
  });

  test('git credential fill with credential.helper=gitlink and cli/dist on PATH', async () => {
    seen.length = 0;
    // Asynchronously: the stub server answering the helper lives in this process.
    const child = spawn('git', ['-c', 'credential.helper=', '-c', 'credential.helper=gitlink', 'credential', 'fill'], {
      env: {
        PATH: `${dirname(cli['git-credential-gitlink'])}:${dirname(process.execPath)}:${process.env.PATH}`,
        HOME: tmp,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        GITLINK_URL: url,
        GITLINK_TOKEN: 'glk_t',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.stdin.end('protocol=https\nhost=git.example.test\n\n');
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000); // a hang guard
    const code = await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('username=oauth2\npassword=tok-123\n');
    expect(seen).toEqual([{ auth: 'Bearer glk_t', body: JSON.stringify({ protocol: 'https', host: 'git.example.test' }) }]);
  });

  test('`gitlink help` runs from the extensionless copy', () => {
    const r = spawnSync(join(dirname(cli.gitlink), 'gitlink'), ['help'], {
      encoding: 'utf8',
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: tmp },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: gitlink');
  });
});
