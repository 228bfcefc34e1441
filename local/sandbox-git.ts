/**
 * Real git for the sandbox GitHub and GitLab: each serves bare repositories
 * through `git http-backend` on its own origin (test/support/git-server.ts),
 * in front of the fake provider, so one origin serves git, OAuth and the API as
 * on github.com or gitlab.com, and git's `host` is the provider's. The front
 * accepts only an access token the fake issued and still honours, with the
 * provider's git username (`x-access-token`, `oauth2`).
 *
 * Repositories live under `{data dir}/git/{provider id}/` and survive restarts.
 * The first start seeds `sandbox/demo.git` with one commit, so the quickstart
 * has something to clone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsLiveToken, createBareRepo, startGitServer } from '../test/support/git-server';

export const DEMO_REPO = 'sandbox/demo.git';

interface Fake {
  url: string;
  tokens: Map<string, { revoked: unknown; expiresAt: number | null; kind?: string }>;
  close(): Promise<void>;
}

export interface SandboxGit {
  /** The front's origin: the provider's base URL. */
  url: string;
  /** `git clone` this. */
  cloneUrl: string;
  close(): Promise<void>;
}

const README = `# demo

A repository of the gitlink sandbox. Clone it, commit, push: git asks gitlink for the
credential, and the sandbox provider checks it as the real one would.
`;

/** One commit on `main`, written with plumbing: no work tree, no user config needed. */
function seedDemo(root: string): void {
  const dir = join(root, DEMO_REPO);
  if (existsSync(dir)) return;
  mkdirSync(join(root, 'sandbox'), { recursive: true });
  createBareRepo(root, DEMO_REPO);
  const git = (args: string[], input?: string) => execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    env: { ...process.env, GIT_AUTHOR_NAME: 'gitlink sandbox', GIT_AUTHOR_EMAIL: 'sandbox@gitlink.invalid', GIT_COMMITTER_NAME: 'gitlink sandbox', GIT_COMMITTER_EMAIL: 'sandbox@gitlink.invalid' },
  }).trim();
  const blob = git(['hash-object', '-w', '--stdin'], README);
  const tree = git(['mktree'], `100644 blob ${blob}\tREADME.md\n`);
  const commit = git(['commit-tree', tree, '-m', 'Initial commit'], '');
  git(['update-ref', 'refs/heads/main', commit]);
}

/** Starts the git front for `fake` (provider `id`, git username `username`). */
export async function startSandboxGit(opts: { id: string; dataDir: string; fake: Fake; username: string }): Promise<SandboxGit> {
  const root = join(opts.dataDir, 'git', opts.id);
  seedDemo(root);
  const server = await startGitServer({ root, upstream: opts.fake.url, authorize: acceptsLiveToken(opts.username, opts.fake.tokens) });
  return { url: server.url, cloneUrl: `${server.url}/${DEMO_REPO}`, close: () => server.close() };
}
