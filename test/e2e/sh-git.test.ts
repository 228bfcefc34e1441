/**
 * Real git with the sh helper, installed by the one-liner of the README
 * (`curl -fsSL "$GITLINK_URL/install.sh" | sh`) into a fresh HOME, under dash,
 * bash and BusyBox sh: the cases test/e2e/git.test.ts proves for the Node
 * helper (clone, push, refresh after expiry, waiting for a link, unlink), plus
 * the installer's own promises (what it writes, modes, idempotency) and the
 * credential-cache in front of the helper.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/app';
import { LinkStore } from '@shared/store/links';
import { parseEnvToken } from '@shared/env/token';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, link, newEnvToken, unlink } from '../support/env';
import { acceptsLiveToken, createBareRepo, startGitServer, type GitServer } from '../support/git-server';
import { Browser, startTestStack } from '../support/local';
import { install, installedHelper, ok, run, shellPath, SHELLS, start, stopCredentialCache, type Shell } from '../support/sh';

let stack: LocalStack;
let gl: FakeGitLab;
let server: GitServer;
let tmp: string;
let repoUrl: string;
const started: Array<Record<string, string>> = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-sh-git-'));
  [stack, gl] = await Promise.all([startTestStack(), startFakeGitLab()]);
  createBareRepo(tmp, 'project.git');
  // The git host checks credentials the way GitLab does: user `oauth2`, password a live OAuth access token.
  server = await startGitServer({ root: tmp, upstream: gl.url, authorize: acceptsLiveToken('oauth2', gl.tokens) });
  repoUrl = `${server.url}/project.git`;
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: server.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
}, 60_000);
afterAll(async () => {
  await Promise.all(started.map((env) => stopCredentialCache(env)));
  await Promise.all([server?.close(), gl?.close()]);
  await stack?.close();
});

describe.each(SHELLS)('under %s', (shell: Shell) => {
  let dev: Browser;
  let token: string;
  let home: string;
  /** What a developer's shell in the environment has: HOME, PATH; no GITLINK_* once installed. */
  let env: Record<string, string>;
  let clones = 0;

  beforeAll(async () => {
    dev = await Browser.signIn(stack, `sh-git-${shell}`);
    await link(dev, 'gitlab');
    token = await newEnvToken(dev);
    home = join(tmp, `home-${shell}`);
    mkdirSync(home);
    env = { HOME: home, PATH: shellPath(tmp, shell) };
    started.push(env);
  });

  const git = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) =>
    run('git', args, { env: { ...env, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const freshDir = () => join(home, `clone-${++clones}`);
  const helperKey = () => `credential.${server.url}.helper`;

  test('the installer, in a fresh HOME: helper, CLI, token 0600, git and ssh configured, and it says so', async () => {
    const r = ok(await install({ ...env, GITLINK_URL: stack.url, GITLINK_TOKEN: token }));
    const helper = installedHelper(home);
    const tokenFile = join(home, '.config', 'gitlink', 'token');
    expect(r.stdout).toContain(`installed ${helper}\n`);
    expect(r.stdout).toContain(`installed ${join(home, '.local', 'bin', 'gitlink')}\n`);
    expect(r.stdout).toContain(`installed ${tokenFile}\n`);
    expect(r.stdout).toContain(`set ${helperKey()} = cache --timeout=300, then ${helper}\n`);
    expect(r.stdout).toContain(`added IdentityFile ${join(home, '.ssh', 'gitlink_ed25519')} for Host 127.0.0.1`);
    expect(r.stdout).toMatch(/gitlink: installed gitlink \d+\.\d+\.\d+ \(sh\)/);
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(helper).mode & 0o777).toBe(0o755);
    // git reads the helper list exactly: reset, the cache, then gitlink's helper by absolute path.
    expect(ok(await git(['config', '--global', '--get-all', helperKey()])).stdout).toBe(`\ncache --timeout=300\n${helper}\n`);
    const publicKey = (await dev.api('GET', '/v1/me/ssh-key')).json.publicKey as string;
    expect(readFileSync(join(home, '.ssh', 'gitlink_ed25519.pub'), 'utf8')).toBe(`${publicKey}\n`);
    expect(statSync(join(home, '.ssh', 'gitlink_ed25519')).mode & 0o777).toBe(0o600);
    // The token is in its file only: not in git's config, not in a shell profile.
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).not.toContain(token);
    for (const profile of ['.profile', '.bashrc', '.bash_profile']) expect(() => statSync(join(home, profile))).toThrow();
  });

  test('run again, it changes nothing and says so', async () => {
    const before = ['.gitconfig', '.ssh/config', '.ssh/gitlink_ed25519', '.config/gitlink/token', '.local/bin/gitlink'].map((f) => readFileSync(join(home, f), 'utf8'));
    const r = ok(await install({ ...env, GITLINK_URL: stack.url, GITLINK_TOKEN: token }));
    expect(r.stdout).toMatch(/^gitlink: nothing to change \(gitlink \S+ \(sh\)\)\n/);
    const after = ['.gitconfig', '.ssh/config', '.ssh/gitlink_ed25519', '.config/gitlink/token', '.local/bin/gitlink'].map((f) => readFileSync(join(home, f), 'utf8'));
    expect(after).toEqual(before);
  });

  test('`gitlink status` checks the token and the git configuration', async () => {
    const r = ok(await run(join(home, '.local', 'bin', 'gitlink'), ['status'], { env }));
    expect(r.stdout).toContain('token accepted');
    expect(r.stdout).toContain(`git:   ${server.url} uses gitlink`);
  });

  test('plain git clones, commits and pushes with no prompt', async () => {
    const dir = freshDir();
    ok(await git(['clone', repoUrl, dir]));
    writeFileSync(join(dir, `${shell}.txt`), `pushed from an environment under ${shell}\n`);
    ok(await git(['add', '.'], { cwd: dir }));
    ok(await git(['commit', '-m', shell], { cwd: dir }));
    ok(await git(['push', 'origin', 'HEAD:main'], { cwd: dir }));
    const mine = server.log.filter((l) => l.status !== 401 && l.path.endsWith('/git-receive-pack'));
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(server.log.filter((l) => l.status !== 401).map((l) => l.user))).toEqual(new Set(['oauth2']));
  });

  // git runs a helper value verbatim only when it starts with `/`; a quoted path must be a `!` snippet.
  test("a HOME whose path has a space and a quote: git still runs the installed helper", async () => {
    const odd = { HOME: join(tmp, `it's a home ${shell}`), PATH: env.PATH! };
    mkdirSync(odd.HOME);
    started.push(odd);
    ok(await install({ ...odd, GITLINK_URL: stack.url, GITLINK_TOKEN: token }));
    const r = await run('git', ['ls-remote', repoUrl], { env: odd });
    expect(r.stderr).not.toContain('is not a git command');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/refs\/heads\/main/);
  });

  test('a second operation is answered by credential-cache: it works even after the environment token is revoked', async () => {
    const tokens = (await dev.api('GET', '/v1/me/tokens')).json.tokens as Array<{ id: string }>;
    for (const t of tokens) expect((await dev.api('DELETE', `/v1/me/tokens/${t.id}`)).status).toBe(204);
    ok(await git(['ls-remote', repoUrl])); // never asked gitlink
    ok(await stopCredentialCache(env)); // the cache's 5 minutes pass
    const r = await git(['ls-remote', repoUrl]);
    expect(r.code).toBe(128);
    expect(r.stderr).toContain('environment token was refused');
    // A new token for the rest of the cases, through the installer as a developer would.
    token = await newEnvToken(dev);
    ok(await install({ ...env, GITLINK_URL: stack.url, GITLINK_TOKEN: token }));
  });

  test('after the token expired, a clone refreshes it transparently', async () => {
    ok(await stopCredentialCache(env));
    gl.expireAccessTokens(); // two hours pass: the access token is dead at GitLab, and gitlink's link says so too
    const links = new LinkStore(stack.table);
    const userId = parseEnvToken(token)!.userId;
    const l = (await links.get(userId, 'gitlab'))!;
    await links.update(userId, 'gitlab', l.version, { expiresAt: Date.now() - 1000 });
    gl.behavior.refreshCalls = 0;
    const dir = freshDir();
    ok(await git(['clone', repoUrl, dir]));
    expect(readFileSync(join(dir, `${shell}.txt`), 'utf8')).toBe(`pushed from an environment under ${shell}\n`);
    expect(gl.behavior.refreshCalls).toBe(1);
  });

  test('after unlink, a clone fails cleanly and at once, printing where to link', async () => {
    ok(await stopCredentialCache(env));
    await unlink(dev, 'gitlab');
    const r = await git(['clone', repoUrl, freshDir()], { env: { GITLINK_NO_WAIT: '1' } });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(128);
    expect(r.stderr).toContain(`${stack.url}/link/gitlab`);
    expect(r.stderr).toMatch(/terminal prompts disabled|Authentication failed/);
  });

  test('not linked: the clone waits, and continues once the developer links', async () => {
    const p = start('git', ['clone', repoUrl, freshDir()], { env: { ...env, GITLINK_POLL_SECONDS: '0.1' } });
    await p.stderrHas('waiting up to 5m00s');
    await link(dev, 'gitlab');
    const r = ok(await p.done);
    expect(r.stderr).toContain('linked; continuing');
  });
});
