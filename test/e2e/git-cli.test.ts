/**
 * The built CLI against the local server (issue 5 §5, §6): git's helper
 * protocol, configuration, waiting for a link, and `gitlink ssh-key`.
 * Each command runs as git or a developer would run it: a child process with
 * a temp HOME and only the environment the test gives it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { buildCli } from '../../cli/build';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { start as startProcess } from '../support/sh';

let stack: LocalStack;
let gl: FakeGitLab;
let cli: { 'git-credential-gitlink': string; gitlink: string };
let tmp: string;
let seq = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-cli-'));
  [stack, gl, cli] = await Promise.all([startTestStack(), startFakeGitLab(), buildCli(join(tmp, 'cli'))]);
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
}, 60_000);
afterAll(async () => {
  await gl?.close();
  await stack?.close();
});

/** The built CLI run with only the environment given, as git would start it. */
const start = (file: string, args: string[], opts: { home: string; env?: Record<string, string>; stdin?: string }) =>
  startProcess(process.execPath, [file, ...args], {
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: opts.home, ...opts.env },
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
  });

const newHome = () => {
  const home = join(tmp, `home-${++seq}`);
  mkdirSync(home);
  return home;
};

async function developer(linked: boolean) {
  const dev = await Browser.signIn(stack, `cli-dev${++seq}`);
  if (linked) await link(dev, 'gitlab');
  return { dev, token: await newEnvToken(dev) };
}

const helper = (op: string, opts: { home: string; env?: Record<string, string>; stdin?: string }) => start(cli['git-credential-gitlink'], [op], opts);
const request = () => `protocol=http\nhost=${gitHost(gl.url)}\n\n`;
const envFor = (token: string) => ({ GITLINK_URL: stack.url, GITLINK_TOKEN: token });

describe("git's credential-helper protocol (gitcredentials(7))", () => {
  test('get prints username, password and password_expiry_utc', async () => {
    const { token } = await developer(true);
    const r = await helper('get', { home: newHome(), env: envFor(token), stdin: request() }).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^username=oauth2\npassword=[0-9a-f]{64}\npassword_expiry_utc=\d+\n$/);
    expect(r.stderr).toBe('');
  });

  test.each(['store', 'erase', 'capability', 'something-new'])('%s is accepted and ignored, silently', async (op) => {
    const r = await helper(op, { home: newHome(), env: {}, stdin: `${request()}username=oauth2\npassword=x\n` }).done;
    expect(r).toEqual({ code: 0, stdout: '', stderr: '', killed: false });
  });

  test('a host gitlink does not serve: nothing at all, so git moves on to the next helper', async () => {
    const { token } = await developer(true);
    const r = await helper('get', { home: newHome(), env: envFor(token), stdin: 'protocol=https\nhost=elsewhere.example\n\n' }).done;
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  test('a revoked token: nothing on stdout, the reason on stderr', async () => {
    const r = await helper('get', { home: newHome(), env: envFor('glk_revoked'), stdin: request() }).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('environment token was refused');
  });
});

describe('configuration: GITLINK_URL/GITLINK_TOKEN or a 0600 config file', () => {
  const writeConfig = (home: string, content: object, mode: number) => {
    const dir = join(home, '.config', 'gitlink');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(content));
    chmodSync(file, mode);
    return file;
  };

  test('a 0600 config file is used', async () => {
    const { token } = await developer(true);
    const home = newHome();
    writeConfig(home, { url: stack.url, token }, 0o600);
    const r = await helper('get', { home, stdin: request() }).done;
    expect(r.stdout).toMatch(/^username=oauth2\n/);
  });

  test('a config file others can read is refused, with a clear message and nothing on stdout', async () => {
    const { token } = await developer(true);
    const home = newHome();
    const file = writeConfig(home, { url: stack.url, token }, 0o644);
    const r = await helper('get', { home, stdin: request() }).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`refusing to read ${file}`);
    expect(r.stderr).toContain(`chmod 600 ${file}`);
  });

  test('nothing configured: says what to set', async () => {
    const r = await helper('get', { home: newHome(), stdin: request() }).done;
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('set GITLINK_URL and GITLINK_TOKEN');
  });

  test('the token is never sent over plain http to another machine', async () => {
    const r = await helper('get', { home: newHome(), env: { GITLINK_URL: 'http://gitlink.example.com', GITLINK_TOKEN: 'glk_x' }, stdin: request() }).done;
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('GITLINK_URL must use https');
  });
});

describe('not linked yet', () => {
  test('prints the link URL, waits, and answers once the developer has linked', async () => {
    const { dev, token } = await developer(false);
    const p = helper('get', { home: newHome(), env: { ...envFor(token), GITLINK_POLL_SECONDS: '0.1' }, stdin: request() });
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
    const r = await helper('get', { home: newHome(), env: { ...envFor(token), GITLINK_NO_WAIT: '1' }, stdin: request() }).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${stack.url}/link/gitlab`);
    expect(r.stderr).not.toContain('waiting');
  });
});

describe('gitlink ssh-key (issue 5 §6)', () => {
  test('writes the key pair (0600) and IdentityFile lines, idempotently, saying what changed', async () => {
    const { dev, token } = await developer(false);
    const home = newHome();
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), 'Host *\n    ServerAliveInterval 30\n');
    const keyPath = join(home, '.ssh', 'gitlink_ed25519');

    const first = await start(cli.gitlink, ['ssh-key'], { home, env: envFor(token) }).done;
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${keyPath}\n`);
    expect(first.stdout).toContain(`added IdentityFile ${keyPath} for Host 127.0.0.1`);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    const publicKey = (await dev.api('GET', '/v1/me/ssh-key')).json.publicKey as string;
    expect(readFileSync(`${keyPath}.pub`, 'utf8')).toBe(`${publicKey}\n`);
    const config = readFileSync(join(home, '.ssh', 'config'), 'utf8');
    expect(config.startsWith('Host *\n    ServerAliveInterval 30\n')).toBe(true);
    expect(config).toContain(`Host 127.0.0.1\n    IdentityFile ${keyPath}\n`);

    const second = await start(cli.gitlink, ['ssh-key'], { home, env: envFor(token) }).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`unchanged ${keyPath}\n`);
    expect(second.stdout).toContain(`unchanged ${join(home, '.ssh', 'config')}`);
    expect(readFileSync(join(home, '.ssh', 'config'), 'utf8')).toBe(config);
  });

  test('a refused token: exit 1, nothing written', async () => {
    const home = newHome();
    const r = await start(cli.gitlink, ['ssh-key'], { home, env: envFor('glk_nope') }).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environment token was refused');
    expect(() => statSync(join(home, '.ssh'))).toThrow();
  });

  test('unknown commands print the usage', async () => {
    const r = await start(cli.gitlink, ['frobnicate'], { home: newHome() }).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: gitlink');
  });
});
