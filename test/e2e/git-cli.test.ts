/**
 * The built CLI against the local server (issue 5 §5, §6): git's helper
 * protocol, configuration, waiting for a link, and `gitlink ssh-key`.
 * Each command runs as git or a developer would run it: a child process with
 * a temp HOME and only the environment the test gives it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LocalStack } from '../../local/app';
import { buildCli } from '../../cli/build';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { run, start as startProcess } from '../support/sh';

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

  test('a URL holding credentials is refused (as the sh helper refuses it), not used without them', async () => {
    const url = stack.url.replace('http://', 'http://someone:secret@');
    const { token } = await developer(true);
    const r = await helper('get', { home: newHome(), env: { GITLINK_URL: url, GITLINK_TOKEN: token }, stdin: request() }).done;
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toContain('GITLINK_URL must not hold credentials');
    expect(r.stderr).not.toContain('secret');
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

// The CLI as a person meets it: --version/--help, a closed pipe, and `npm i -g .` (README "With Node instead").
const ROOT = resolve(__dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const baseEnv = (home: string, path = '') => ({ HOME: home, PATH: `${path}${dirname(process.execPath)}:${process.env.PATH}` });

describe('--version and --help', () => {
  test('gitlink --version prints the package version; --help the commands, on stdout, exit 0', async () => {
    const env = baseEnv(newHome());
    expect(await run(process.execPath, [cli.gitlink, '--version'], { env })).toMatchObject({ code: 0, stdout: `gitlink ${VERSION} (node)\n`, stderr: '' });
    const help = await run(process.execPath, [cli.gitlink, '--help'], { env });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const word of ['usage: gitlink <command>', 'setup', 'ssh-key', '--version', 'GITLINK_URL']) expect(help.stdout).toContain(word);
    // No command is a usage error (exit 2, usage on stderr), as in the sh CLI.
    const none = await run(process.execPath, [cli.gitlink], { env });
    expect([none.code, none.stdout]).toEqual([2, '']);
    expect(none.stderr).toContain('usage: gitlink <command>');
  });

  test('git-credential-gitlink --version and --help answer at once, with stdin left open', async () => {
    const env = baseEnv(newHome());
    // stdin stays open (never ended): a helper that waited for git's attributes would hang here
    // until start()'s hang guard killed it (killed: true).
    const keepOpen = (arg: string) => startProcess(process.execPath, [cli['git-credential-gitlink'], arg], { env, keepStdinOpen: true }).done;
    const v = await keepOpen('--version');
    expect(v).toMatchObject({ code: 0, stdout: `git-credential-gitlink ${VERSION} (node)\n`, stderr: '', killed: false });
    const h = await keepOpen('--help');
    expect(h).toMatchObject({ code: 0, stderr: '', killed: false });
    expect(h.stdout).toContain('usage: git-credential-gitlink <get|store|erase>');
  });
});

describe('a closed pipe', () => {
  test('`gitlink setup | true`: no stack trace, exit 0, and the git config is still written', async () => {
    const home = newHome();
    const dev = await Browser.signIn(stack, `pipe-dev${seq}`);
    const env = { ...baseEnv(home), GITLINK_URL: stack.url, GITLINK_TOKEN: await newEnvToken(dev) };
    // `true` exits without reading: every write setup makes to stdout meets a closed pipe (EPIPE).
    const r = await run('sh', ['-c', `{ "${process.execPath}" "${cli.gitlink}" setup 2>"$HOME/err"; echo $? >"$HOME/rc"; } | true`], { env });
    expect(r.code).toBe(0);
    expect(readFileSync(join(home, 'err'), 'utf8')).toBe('');
    expect(readFileSync(join(home, 'rc'), 'utf8')).toBe('0\n');
    const origin = new URL(gl.url).origin;
    const helpers = await run('git', ['config', '--global', '--get-all', `credential.${origin}.helper`], { env });
    expect(helpers.stdout.split('\n')).toEqual(['', join(tmp, 'cli', 'git-credential-gitlink.js'), '']);
  });

  test('`gitlink --help | true` and a closed stderr too', async () => {
    const env = baseEnv(newHome());
    const r = await run('sh', ['-c', `{ "${process.execPath}" "${cli.gitlink}" --help; echo $? >"$HOME/rc"; } | true; { "${process.execPath}" "${cli.gitlink}" 2>&1; echo $? >"$HOME/rc2"; } | true`], { env });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(env.HOME, 'rc'), 'utf8')).toBe('0\n');
    expect(readFileSync(join(env.HOME, 'rc2'), 'utf8')).toBe('2\n');
  });
});

describe('npm i -g . from inside the checkout', () => {
  test('puts gitlink and git-credential-gitlink on the prefix\'s PATH; they run, and setup configures the installed helper', async () => {
    const prefix = join(tmp, 'prefix');
    const npmEnv = { ...baseEnv(newHome()), npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const installed = await run('npm', ['i', '-g', '.', '--offline'], { env: npmEnv, cwd: ROOT });
    expect(installed.code).toBe(0);
    const bin = join(prefix, 'bin');
    for (const name of ['gitlink', 'git-credential-gitlink']) {
      expect(statSync(join(bin, name)).mode & 0o111).not.toBe(0);
    }
    const home = newHome();
    const env = baseEnv(home, `${bin}:`);
    expect((await run('gitlink', ['--version'], { env })).stdout).toBe(`gitlink ${VERSION} (node)\n`);
    expect((await run('git-credential-gitlink', ['--version'], { env })).stdout).toBe(`git-credential-gitlink ${VERSION} (node)\n`);

    const dev = await Browser.signIn(stack, `npm-dev${seq}`);
    const setup = await run('gitlink', ['setup'], { env: { ...env, GITLINK_URL: stack.url, GITLINK_TOKEN: await newEnvToken(dev) } });
    expect(setup).toMatchObject({ code: 0, stderr: '' });
    const helper = (await run('git', ['config', '--global', '--get-all', `credential.${new URL(gl.url).origin}.helper`], { env })).stdout.split('\n')[1]!;
    // The helper git will run is the installed one (resolved into the checkout npm linked), and it exists.
    expect(helper).toBe(join(ROOT, 'cli', 'dist', 'git-credential-gitlink.js'));
    expect(existsSync(helper)).toBe(true);
  }, 90_000);
});
