/**
 * The sandbox's real git (local/sandbox-git.ts): `git http-backend` in front of
 * the fake GitHub and GitLab, seeded with `sandbox/demo.git`, accepting only a
 * live access token the fake issued, with that provider's git username.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerType } from '@shared/contract/provider-types';
import { startSandbox, type SandboxProvider } from '../../local/sandbox';
import { startSandboxGit, type SandboxGit } from '../../local/sandbox-git';
import type { LocalStack } from '../../local/app';
import { startFakeGitHub, type FakeGitHub } from '../providers/github';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { startTestStack } from '../support/local';
import { run } from '../support/sh';

let tmp: string;
const env = () => ({ HOME: tmp, PATH: process.env.PATH! });
/** `git ls-remote` with user:password in the URL (no helper, no prompt). */
const lsRemote = (cloneUrl: string, user?: string, pass?: string) => {
  const u = new URL(cloneUrl);
  if (user !== undefined) {
    u.username = user;
    u.password = pass ?? '';
  }
  return run('git', ['-c', 'credential.helper=', 'ls-remote', u.toString(), 'main'], { env: env() });
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-sandbox-git-'));
});

describe.each([
  ['github', () => startFakeGitHub(), (f: FakeGitHub) => f.mintToken('octocat')],
  ['gitlab', () => startFakeGitLab(), (f: FakeGitLab) => f.mintToken('tanuki')],
] as const)('sandbox %s over git http-backend', (type, startFake, mint) => {
  let fake: FakeGitHub & FakeGitLab;
  let git: SandboxGit;
  const username = providerType(type).gitUsername!;

  beforeAll(async () => {
    fake = (await startFake()) as FakeGitHub & FakeGitLab;
    git = await startSandboxGit({ id: `sandbox-${type}`, dataDir: join(tmp, 'data'), fake, username });
  });
  afterAll(async () => {
    await git?.close();
    await fake?.close();
  });

  test(`a live token with the git username ${username}: the seeded demo repository is there`, async () => {
    const { accessToken } = (mint as (f: unknown) => { accessToken: string })(fake);
    const r = await lsRemote(git.cloneUrl, username, accessToken);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main\n$/);
    expect(git.cloneUrl).toBe(`${git.url}/sandbox/demo.git`);
  });

  test('refused: no credential, another username, a made-up token, a revoked or expired one', async () => {
    const { accessToken } = (mint as (f: unknown) => { accessToken: string })(fake);
    const other = type === 'github' ? 'oauth2' : 'x-access-token';
    for (const [user, pass] of [[undefined, undefined], [other, accessToken], [username, 'f'.repeat(40)]] as const) {
      const r = await lsRemote(git.cloneUrl, user, pass);
      expect(r.code).toBe(128);
    }
    fake.expireAccessTokens();
    expect((await lsRemote(git.cloneUrl, username, accessToken)).code).toBe(128);
  });
});

describe('npm start wires the git fronts in as the providers\' base URLs', () => {
  let stack: LocalStack;
  let sandbox: SandboxProvider[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ onListening: async (s) => (sandbox = await startSandbox(s)) });
  }, 60_000);
  afterAll(() => stack?.close());

  test('Sandbox GitHub and GitLab each serve sandbox/demo.git on their base URL; the others serve no git', async () => {
    const withGit = sandbox.filter((p) => p.cloneUrl).map((p) => p.id).sort();
    expect(withGit).toEqual(['sandbox-github', 'sandbox-gitlab']);
    for (const p of sandbox.filter((x) => x.cloneUrl)) {
      expect(p.cloneUrl).toBe(`${p.url}/sandbox/demo.git`);
      const r = await lsRemote(p.cloneUrl!);
      expect(r.code).toBe(128);
      expect(r.stderr).toMatch(/Authentication failed|terminal prompts disabled|could not read Username/);
    }
  });
});
