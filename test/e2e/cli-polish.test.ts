/**
 * The Node CLI as a person meets it: `--version` and `--help` on both commands
 * (the helper answers them without waiting for git's input), no stack trace when
 * the reader of its output goes away (`gitlink setup | head`), and the README's
 * `npm i -g .` from inside the checkout, into a temporary npm prefix.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LocalStack } from '../../local/app';
import { buildCli } from '../../cli/build';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';
import { run } from '../support/sh';

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let stack: LocalStack;
let gl: FakeGitLab;
let cli: { 'git-credential-gitlink': string; gitlink: string };
let tmp: string;
let seq = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-cli-polish-'));
  [stack, gl, cli] = await Promise.all([startTestStack(), startFakeGitLab(), buildCli(join(tmp, 'cli'))]);
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
}, 60_000);
afterAll(async () => {
  await gl?.close();
  await stack?.close();
});

const newHome = () => {
  const home = join(tmp, `home-${++seq}`);
  mkdirSync(home);
  return home;
};
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
    // stdin stays open (never ended): a helper that waited for git's attributes would hang here.
    const keepOpen = (arg: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((done) => {
        const child = spawn(process.execPath, [cli['git-credential-gitlink'], arg], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c));
        child.stderr.on('data', (c: Buffer) => (stderr += c));
        const guard = setTimeout(() => child.kill('SIGKILL'), 15_000); // a hang guard, not a timing assertion
        child.on('close', (code, signal) => {
          clearTimeout(guard);
          child.stdin.destroy();
          done({ code, stdout, stderr, killed: signal === 'SIGKILL' });
        });
      });
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
  });
});
