/**
 * Real git, end to end (issue 5 §7): the system `git` clones, commits and
 * pushes over smart HTTP (`git http-backend` behind test/support/git-server.ts)
 * with credentials from the built `git-credential-gitlink`, which asks the
 * local gitlink server, which holds a GitLab link made through the real OAuth
 * redirects. Nothing prompts (GIT_TERMINAL_PROMPT=0); nothing reads the
 * machine's git config (HOME is a temp dir, GIT_CONFIG_NOSYSTEM=1).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { buildCli } from '../../cli/build';
import { LinkStore } from '@shared/store/links';
import { parseEnvToken } from '@shared/env/token';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, link, newEnvToken, unlink } from '../support/env';
import { acceptsLiveToken, createBareRepo, startGitServer, type GitServer } from '../support/git-server';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let gl: FakeGitLab;
let server: GitServer;
let cli: { 'git-credential-gitlink': string; gitlink: string };
let dev: Browser;
let token: string;
let home: string;
let repoUrl: string;

beforeAll(async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gitlink-git-'));
  [stack, gl, cli] = await Promise.all([startTestStack(), startFakeGitLab(), buildCli(join(tmp, 'cli'))]);
  createBareRepo(tmp, 'project.git');
  // The git host checks credentials the way GitLab does: user `oauth2`, password a live OAuth access token.
  server = await startGitServer({ root: tmp, upstream: gl.url, authorize: acceptsLiveToken('oauth2', gl.tokens) });
  repoUrl = `${server.url}/project.git`;
  const admin = await Browser.signIn(stack, 'root', true);
  // The provider's base URL is the git host: one origin serves git, OAuth and the API, as on gitlab.com.
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: server.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  dev = await Browser.signIn(stack, 'coder');
  await link(dev, 'gitlab');
  token = await newEnvToken(dev);
  home = join(tmp, 'home');
  mkdirSync(home);
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.close(), gl?.close()]);
  await stack?.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True if the guard had to kill it: a hang. */
  killed: boolean;
}

/** Runs a command in a clean environment: only PATH, a temp HOME, and what the test adds. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? home,
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
        HOME: home,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Coder', GIT_AUTHOR_EMAIL: 'coder@example.test',
        GIT_COMMITTER_NAME: 'Coder', GIT_COMMITTER_EMAIL: 'coder@example.test',
        GITLINK_URL: stack.url,
        GITLINK_TOKEN: token,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    // A guard, not an assertion on time: a hung git would otherwise hang the suite.
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, killed: signal === 'SIGKILL' });
    });
  });
}

/** git with gitlink as the only credential helper (`credential.helper=` resets the list first). */
const git = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) =>
  run('git', ['-c', 'credential.helper=', '-c', `credential.helper=${cli['git-credential-gitlink']}`, ...args], opts);

const ok = (r: Run) => {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
};

let clones = 0;
const freshDir = () => join(home, `clone-${++clones}`);

describe('git over HTTP with git-credential-gitlink', () => {
  test('clone, commit and push, with no prompt', async () => {
    const dir = freshDir();
    ok(await git(['clone', repoUrl, dir]));
    writeFileSync(join(dir, 'README.md'), 'hello from an environment\n');
    ok(await git(['add', 'README.md'], { cwd: dir }));
    ok(await git(['commit', '-m', 'first'], { cwd: dir }));
    ok(await git(['push', 'origin', 'HEAD:main'], { cwd: dir }));
    // The server saw gitlink's credential: GitLab's git username, on every authenticated request.
    const authed = server.log.filter((l) => l.status !== 401);
    expect(authed.some((l) => l.path.endsWith('/git-receive-pack'))).toBe(true);
    expect(new Set(authed.map((l) => l.user))).toEqual(new Set(['oauth2']));
  });

  test('after the token expired, a clone refreshes it transparently', async () => {
    // Two hours pass: the access token is dead at GitLab, and gitlink's link says so too.
    gl.expireAccessTokens();
    const links = new LinkStore(stack.table);
    const userId = parseEnvToken(token)!.userId;
    const l = (await links.get(userId, 'gitlab'))!;
    await links.update(userId, 'gitlab', l.version, { expiresAt: Date.now() - 1000 });
    gl.behavior.refreshCalls = 0;

    const dir = freshDir();
    ok(await git(['clone', repoUrl, dir]));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('hello from an environment\n');
    expect(gl.behavior.refreshCalls).toBe(1);
  });

  test('`credential.helper=gitlink` with the build directory on PATH (git runs `git-credential-gitlink`)', async () => {
    const dir = freshDir();
    const path = `${dirname(cli['git-credential-gitlink'])}:${dirname(process.execPath)}:${process.env.PATH}`;
    ok(await run('git', ['-c', 'credential.helper=', '-c', 'credential.helper=gitlink', 'clone', repoUrl, dir], { env: { PATH: path } }));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('hello from an environment\n');
  });

  test('`gitlink setup` configures the helper so plain git needs no -c flags', async () => {
    const setup = ok(await run(process.execPath, [cli.gitlink, 'setup']));
    const key = `credential.${server.url}.helper`;
    expect(setup.stdout).toContain(`set ${key}`);
    const values = ok(await run('git', ['config', '--global', '--get-all', key])).stdout;
    expect(values).toBe(`\n${cli['git-credential-gitlink']}\n`);
    expect(ok(await run(process.execPath, [cli.gitlink, 'setup'])).stdout).toContain(`unchanged ${key}`);
    const dir = freshDir();
    ok(await run('git', ['clone', repoUrl, dir]));
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
  });

  test('after unlink, a clone fails cleanly and at once, printing where to link', async () => {
    await unlink(dev, 'gitlab');
    const r = await git(['clone', repoUrl, freshDir()], { env: { GITLINK_NO_WAIT: '1' } });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(128);
    expect(r.stderr).toContain(`${stack.url}/link/gitlab`);
    expect(r.stderr).toMatch(/terminal prompts disabled|Authentication failed/);
  });

  test('with a bounded wait instead, it also gives up by itself', async () => {
    const r = await git(['clone', repoUrl, freshDir()], { env: { GITLINK_WAIT_SECONDS: '1', GITLINK_POLL_SECONDS: '0.2' } });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(128);
    expect(r.stderr).toContain('gave up waiting for the link');
  });
});
