/**
 * The sh installer and helper (as GET /install.sh serves them) against a gitlink whose answers
 * the test writes, under dash, bash and BusyBox sh: what a real server rarely or never gives.
 * - no provider serves git over HTTPS: the installer says so, and a second run changes nothing;
 * - `git-credential-gitlink --version`/`--help` answer a person at once, as the Node helper does;
 * - the not-linked wait keeps the Node helper's deadline: not over before it, not a poll after it;
 * - a token file that is a symlink (to a mounted secret) is judged by the file it names;
 * - interrupted mid-request on GNU wget, the helper leaves no file holding the token behind.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildInstaller } from '@shared/ui/installer';
import { startScriptedGitlink, type ScriptedGitlink } from '../support/scripted-gitlink';
import { install, installedHelper, ok, pathWithout, shellPath, SHELLS, start, stopCredentialCache, type Run, type Shell } from '../support/sh';

const TOKEN = 'glk_dXNlcg_tokenid_secret';
const CREDENTIAL = 'POST /v1/git/credential';
const credentialRequest = 'protocol=https\nhost=git.example.com\n\n';
const notLinked = { status: 404, body: { error: { code: 'not_linked', message: 'not linked', providerId: 'gitlab', linkUrl: 'https://gitlink.example/link/gitlab' } } };

let gitlink: ScriptedGitlink;
let tmp: string;
let seq = 0;
const homes: Array<Record<string, string>> = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-sh-scripted-'));
  gitlink = await startScriptedGitlink();
  const installer = buildInstaller(join(__dirname, '..', '..', 'cli', 'sh'));
  gitlink.answers.set('GET /install.sh', { status: 200, body: installer.body, contentType: 'text/plain' });
  // A gitlink whose providers all serve git over SSH only (Bitbucket Server, say).
  gitlink.answers.set('GET /v1/env/ssh-key?hostsOnly=true', { status: 200, body: { httpsHosts: [], sshHosts: [] } });
  gitlink.answers.set('GET /v1/env/ssh-key', {
    status: 200,
    body: {
      privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl gitlink',
      fingerprint: 'SHA256:abc',
      sshHosts: [],
      httpsHosts: [],
    },
  });
});
afterAll(async () => {
  await Promise.all(homes.map((env) => stopCredentialCache(env)));
  await gitlink?.close();
});

const newHome = () => {
  const home = join(tmp, `home-${++seq}`);
  mkdirSync(home);
  return home;
};

describe.each(SHELLS)('under %s', (shell: Shell) => {
  let first: Run;
  let helper: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { HOME: newHome(), PATH: shellPath(tmp, shell) };
    homes.push(env);
    first = ok(await install({ ...env, GITLINK_URL: gitlink.url, GITLINK_TOKEN: TOKEN }));
    helper = installedHelper(env.HOME!);
  });
  const helperRun = (args: string[], opts: { env?: Record<string, string>; stdin?: string; keepStdinOpen?: boolean; ownGroup?: boolean } = {}) =>
    start('sh', [helper, ...args], { ...opts, env: { ...env, GITLINK_URL: gitlink.url, GITLINK_TOKEN: TOKEN, ...opts.env }, stdin: opts.stdin ?? credentialRequest });

  test('no provider serves git over HTTPS: the installer says so, and run again it changes nothing', async () => {
    expect(first.stdout).toContain(`installed ${helper}\n`);
    expect(first.stdout).toContain('no provider serves git over HTTPS yet');
    const again = ok(await install({ ...env, GITLINK_URL: gitlink.url, GITLINK_TOKEN: TOKEN }));
    expect(again.stdout).toMatch(/^gitlink: nothing to change \(gitlink \S+ \(sh\)\)\n/);
    expect(again.stdout).toContain('no provider serves git over HTTPS yet');
  });

  test('--version, --help and -h answer at once, with stdin left open (a person asking, not git)', async () => {
    const v = await helperRun(['--version'], { keepStdinOpen: true, stdin: '' }).done;
    expect(v).toMatchObject({ code: 0, stderr: '', killed: false });
    expect(v.stdout).toMatch(/^git-credential-gitlink \d+\.\d+\.\d+ \(sh\)\n$/);
    for (const arg of ['--help', '-h']) {
      const h = await helperRun([arg], { keepStdinOpen: true, stdin: '' }).done;
      expect(h).toMatchObject({ code: 0, stderr: '', killed: false });
      expect(h.stdout).toContain('usage: git-credential-gitlink <get|store|erase>');
    }
  });

  describe('the not-linked wait keeps its deadline, as the Node helper does', () => {
    beforeEach(() => {
      gitlink.answers.set(CREDENTIAL, notLinked);
      gitlink.log.length = 0;
    });
    const polls = () => gitlink.log.filter((l) => l.key === CREDENTIAL).map((l) => l.at);

    // Bounds, not speed: a deadline is behaviour. The margins are wide of both the 1 s wait and the 30 s poll.
    test('a poll interval longer than the wait: one last poll at the deadline, not a poll interval later', async () => {
      const r = await helperRun(['get'], { env: { GITLINK_WAIT_SECONDS: '1', GITLINK_POLL_SECONDS: '30' } }).done;
      const ended = performance.now();
      const at = polls();
      expect([r.code, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toContain('gave up waiting for the link after 1s.');
      expect(at).toHaveLength(2);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
      expect(ended - at[0]!).toBeLessThan(10_000);
    });

    test('short polls: it gives up only once the whole wait has passed, counted in milliseconds', async () => {
      const r = await helperRun(['get'], { env: { GITLINK_WAIT_SECONDS: '1', GITLINK_POLL_SECONDS: '0.2' } }).done;
      const ended = performance.now();
      const at = polls();
      expect(r.code).toBe(1);
      expect(at.length).toBeGreaterThanOrEqual(3);
      expect(ended - at[0]!).toBeGreaterThanOrEqual(950);
    });
  });

  describe('a token file that is a symlink, as to a mounted secret', () => {
    const linkedTokenHome = (mode: number) => {
      const home = newHome();
      const secret = join(home, 'secret-token');
      writeFileSync(secret, `${TOKEN}\n`);
      chmodSync(secret, mode);
      const dir = join(home, '.config', 'gitlink');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'url'), `${gitlink.url}\n`);
      symlinkSync(secret, join(dir, 'token'));
      return { home, link: join(dir, 'token') };
    };
    const fromFiles = (home: string) => start('sh', [helper, 'get'], { env: { HOME: home, PATH: shellPath(tmp, shell) }, stdin: credentialRequest }).done;

    test('is read when the file it names is 0600', async () => {
      gitlink.answers.set(CREDENTIAL, { status: 200, body: 'username=oauth2\npassword=from-the-file\npassword_expiry_utc=2000000000\n', contentType: 'text/plain' });
      const r = await fromFiles(linkedTokenHome(0o600).home);
      expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'username=oauth2\npassword=from-the-file\npassword_expiry_utc=2000000000\n' });
    });

    test('is refused when others can read the file it names', async () => {
      const { home, link } = linkedTokenHome(0o644);
      const r = await fromFiles(home);
      expect([r.code, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toContain(`refusing to read ${link}`);
      expect(r.stderr).toContain('mode -rw-r--r--');
    });
  });

  test('interrupted (Ctrl-C) while GNU wget waits for gitlink: the temporary file holding the token is gone', async () => {
    gitlink.answers.set(CREDENTIAL, 'hang');
    gitlink.log.length = 0;
    const temp = join(tmp, `tmpdir-${++seq}`);
    mkdirSync(temp);
    const p = helperRun(['get'], { env: { PATH: pathWithout(tmp, 'curl', shellPath(tmp, shell)), TMPDIR: temp }, ownGroup: true });
    while (!gitlink.log.some((l) => l.key === CREDENTIAL)) await new Promise((r) => setTimeout(r, 20));
    // The file exists while the request is out: without that, finding none after would prove nothing.
    expect(readdirSync(temp)).toHaveLength(1);
    process.kill(-p.pid, 'SIGINT'); // a terminal's Ctrl-C: the whole foreground process group
    const r = await p.done;
    expect(r.stdout).toBe('');
    expect(readdirSync(temp)).toEqual([]);
  });
});
