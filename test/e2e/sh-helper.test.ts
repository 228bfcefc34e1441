/**
 * The sh helper (cli/sh/gitlink as `git-credential-gitlink`, installed from
 * GET /install.sh) speaks git's credential protocol like the Node helper
 * (test/e2e/git-cli.test.ts holds the same cases for it), under dash, bash and
 * BusyBox sh, with curl or, without curl, GNU wget; and the environment token
 * never appears in any process's command line.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { install, installedHelper, ok, pathWithout, shellPath, SHELLS, start, stopCredentialCache, type Shell } from '../support/sh';

let stack: LocalStack;
let gl: FakeGitLab;
let tmp: string;
let helper: string;
let installEnv: Record<string, string>;
let seq = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-sh-'));
  [stack, gl] = await Promise.all([startTestStack(), startFakeGitLab()]);
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  // The scripts under test are the ones the server hands out.
  const home = newHome();
  installEnv = { HOME: home, PATH: shellPath(tmp, 'dash'), GITLINK_URL: stack.url, GITLINK_TOKEN: (await developer(false)).token };
  ok(await install(installEnv));
  helper = installedHelper(home);
}, 60_000);
afterAll(async () => {
  if (installEnv) await stopCredentialCache(installEnv);
  await gl?.close();
  await stack?.close();
});

function newHome() {
  const home = join(tmp, `home-${++seq}`);
  mkdirSync(home);
  return home;
}

async function developer(linked: boolean) {
  const dev = await Browser.signIn(stack, `sh-dev${++seq}`);
  if (linked) await link(dev, 'gitlab');
  return { dev, token: await newEnvToken(dev) };
}

const request = () => `protocol=http\nhost=${gitHost(gl.url)}\n\n`;
const envFor = (token: string) => ({ GITLINK_URL: stack.url, GITLINK_TOKEN: token });

describe.each(SHELLS)('under %s', (shell: Shell) => {
  const helperRun = (op: string, opts: { env?: Record<string, string>; stdin?: string; home?: string; path?: string }) =>
    start('sh', [helper, op], { env: { PATH: opts.path ?? shellPath(tmp, shell), HOME: opts.home ?? newHome(), ...opts.env }, stdin: opts.stdin ?? request() });

  describe("git's credential-helper protocol (gitcredentials(7))", () => {
    test('get prints username, password and password_expiry_utc', async () => {
      const { token } = await developer(true);
      const r = await helperRun('get', { env: envFor(token) }).done;
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^username=oauth2\npassword=[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/);
      // The very token the provider issued and still honours.
      const password = /password=(\S+)/.exec(r.stdout)![1]!;
      expect(gl.tokens.get(password)?.revoked).toBeNull();
    });

    test.each(['store', 'erase', 'capability', 'something-new'])('%s is accepted and ignored, silently', async (op) => {
      const r = await helperRun(op, { stdin: `${request()}username=oauth2\npassword=x\n` }).done;
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    });

    test('a caller that keeps stdin open after the blank line still gets its answer', async () => {
      const { token } = await developer(true);
      const r = await helperRun('get', { env: envFor(token), stdin: `${request()}this is not an attribute and is never read\n` }).done;
      expect(r.stdout).toMatch(/^username=oauth2\n/);
    });

    test('a line that is not key=value, or holds a CR: nothing on stdout, the reason on stderr, in the Node helper\'s words', async () => {
      const { token } = await developer(true);
      for (const [stdin, reason] of [
        [`protocol=http\nnonsense\n\n`, 'each line must be key=value'],
        [`=http\nhost=${gitHost(gl.url)}\n\n`, 'each line must be key=value'],
        [`protocol=http\r\nhost=${gitHost(gl.url)}\r\n\r\n`, 'CR is not allowed in credential attributes'],
      ]) {
        const r = await helperRun('get', { env: envFor(token), stdin }).done;
        expect(r).toMatchObject({ code: 1, stdout: '' });
        expect(r.stderr).toBe(`gitlink: could not read git's request: ${reason}\n`);
      }
    });

    test('a host gitlink does not serve, or another protocol: nothing at all, so git moves on to the next helper', async () => {
      const { token } = await developer(true);
      for (const stdin of ['protocol=https\nhost=elsewhere.example\n\n', `protocol=cert\nhost=${gitHost(gl.url)}\n\n`]) {
        const r = await helperRun('get', { env: envFor(token), stdin }).done;
        expect(r).toMatchObject({ stdout: '', stderr: '' });
      }
    });

    test("a ~/.curlrc is never read: it could trace the request, token and all, to a file", async () => {
      const { token } = await developer(true);
      const home = newHome();
      const trace = join(home, 'trace.txt');
      writeFileSync(join(home, '.curlrc'), `trace-ascii = "${trace}"\n`);
      const r = await helperRun('get', { env: envFor(token), home }).done;
      expect(r.stdout).toMatch(/^username=oauth2\npassword=/);
      expect(existsSync(trace)).toBe(false);
    });

    test('a revoked token: nothing on stdout, the reason on stderr', async () => {
      const r = await helperRun('get', { env: envFor('glk_revoked') }).done;
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain('environment token was refused');
    });
  });

  describe('configuration: GITLINK_URL/GITLINK_TOKEN or the installed 0600 files', () => {
    const writeConfig = (home: string, token: string, mode: number) => {
      const dir = join(home, '.config', 'gitlink');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'url'), `${stack.url}\n`);
      writeFileSync(join(dir, 'token'), `${token}\n`);
      chmodSync(join(dir, 'token'), mode);
      return join(dir, 'token');
    };

    test('the installed files are used', async () => {
      const { token } = await developer(true);
      const home = newHome();
      writeConfig(home, token, 0o600);
      expect((await helperRun('get', { home }).done).stdout).toMatch(/^username=oauth2\n/);
    });

    test('a token file others can read is refused, with a clear message and nothing on stdout', async () => {
      const { token } = await developer(true);
      const home = newHome();
      const file = writeConfig(home, token, 0o644);
      const r = await helperRun('get', { home }).done;
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain(`refusing to read ${file}`);
      expect(r.stderr).toContain(`chmod 600 ${file}`);
    });

    test('the URL\'s scheme is case-insensitive (RFC 3986 §3.1), as in the Node helper', async () => {
      const { token } = await developer(true);
      const r = await helperRun('get', { env: { GITLINK_URL: stack.url.replace('http://', 'HTTP://'), GITLINK_TOKEN: token } }).done;
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^username=oauth2\n/);
    });

    test('nothing configured: says what to set', async () => {
      const r = await helperRun('get', {}).done;
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('set GITLINK_URL and GITLINK_TOKEN');
    });

    test.each([
      ['http://gitlink.example.com', 'GITLINK_URL must use https'],
      ['ftp://gitlink.example.com', 'GITLINK_URL must use https'],
      ['http://localhost@gitlink.example.com', 'GITLINK_URL must not hold credentials'],
      ['glk_pasted_into_the_wrong_variable', 'GITLINK_URL is not a URL'],
    ])('GITLINK_URL=%s is refused before the token is sent anywhere', async (url, message) => {
      const r = await helperRun('get', { env: { GITLINK_URL: url, GITLINK_TOKEN: 'glk_x' } }).done;
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('glk_pasted'); // never echoed: it may be the token
    });
  });

  describe('not linked yet', () => {
    test('prints the link URL, waits, and answers once the developer has linked', async () => {
      const { dev, token } = await developer(false);
      const p = helperRun('get', { env: { ...envFor(token), GITLINK_POLL_SECONDS: '0.1' } });
      await p.stderrHas(`${stack.url}/link/gitlab`);
      await p.stderrHas('waiting up to 5m00s');
      await link(dev, 'gitlab'); // the developer opens the URL and links
      const r = await p.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^username=oauth2\npassword=/);
      expect(r.stderr).toContain('linked; continuing');
    });

    test('GITLINK_NO_WAIT=1: prints the URL and fails at once, nothing on stdout', async () => {
      const { token } = await developer(false);
      const r = await helperRun('get', { env: { ...envFor(token), GITLINK_NO_WAIT: '1' } }).done;
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain(`${stack.url}/link/gitlab`);
      expect(r.stderr).not.toContain('waiting');
    });
  });

  test('without curl it uses GNU wget, with the same answers', async () => {
    const path = `${pathWithout(tmp, 'curl', shellPath(tmp, shell))}`;
    const linked = await developer(true);
    const r = await helperRun('get', { env: envFor(linked.token), path }).done;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^username=oauth2\npassword=[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/);
    const unlinked = await developer(false);
    const n = await helperRun('get', { env: { ...envFor(unlinked.token), GITLINK_NO_WAIT: '1' }, path }).done;
    expect(n).toMatchObject({ code: 1, stdout: '' });
    expect(n.stderr).toContain(`${stack.url}/link/gitlab`);
  });
});

describe('the environment token never appears in a command line', () => {
  let slow: Server;
  let slowUrl: string;

  // Every answer takes a while, so each curl or wget lives long enough to be seen in /proc.
  beforeAll(async () => {
    const target = new URL(stack.url);
    slow = createServer((req, res) => {
      setTimeout(() => {
        const up = httpRequest({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        req.pipe(up);
      }, 150);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://localhost:${(slow.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    slow.closeAllConnections();
    return new Promise<void>((r) => slow.close(() => r()));
  });

  /** Every command line on the machine, sampled until `until` settles. */
  async function watchCommandLines(until: Promise<unknown>): Promise<string[]> {
    const seen = new Set<string>();
    let running = true;
    void until.finally(() => (running = false));
    while (running) {
      for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        try {
          seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
        } catch {
          // gone already
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return [...seen];
  }

  test.each([
    ['curl', 'curl'],
    ['wget', 'wget'],
  ])('while the helper waits for a link, polling with %s', async (_name, client) => {
    const { dev, token } = await developer(false);
    const path = client === 'curl' ? shellPath(tmp, 'dash') : pathWithout(tmp, 'curl', shellPath(tmp, 'dash'));
    const p = start('sh', [helper, 'get'], {
      env: { PATH: path, HOME: newHome(), GITLINK_URL: slowUrl, GITLINK_TOKEN: token, GITLINK_POLL_SECONDS: '0.1' },
      stdin: request(),
    });
    const lines = watchCommandLines(p.done);
    await p.stderrHas('waiting up to');
    await new Promise((r) => setTimeout(r, 600)); // a few polls
    await link(dev, 'gitlab');
    const r = await p.done;
    expect(r.stdout).toMatch(/^username=oauth2\n/);
    const all = await lines;
    // The watch did see the HTTP client run: without that, finding nothing would prove nothing.
    expect(all.some((l) => l.includes(client) && !l.includes('--version'))).toBe(true);
    expect(all.filter((l) => l.includes(token.slice(-20)))).toEqual([]);
  });
});
