/**
 * Sandbox providers for `npm start`: the test provider servers of test/providers/,
 * in page mode (an approve/deny page), pre-configured as "Sandbox GitHub",
 * "Sandbox GitLab" and "Sandbox Bitbucket Server" / "Data Center" / "Cloud" so a
 * newcomer can sign in, link, see the key registered and unlink, all offline.
 * Never bundled into a Lambda (test/infra/bundle.test.ts).
 *
 * Sandbox GitHub and GitLab also serve real git (local/sandbox-git.ts): their base URL
 * is a `git http-backend` front holding the seeded `sandbox/demo.git`.
 *
 * Provider ids starting with `sandbox-` are reserved for the sandbox: `npm start`
 * overwrites them (and deletes any it no longer starts), and `npm start -- --no-sandbox`
 * deletes them all, with their links and client secrets.
 *
 * The fakes keep their accounts, tokens and SSH keys in memory and listen on new ports
 * each run, so a link saved by an earlier run names tokens nobody knows any more. Each
 * start therefore deletes the links to the sandbox providers (resetSandboxLinks): the UI
 * shows "Link" again rather than a "Linked as …" that no longer works. Persisting the
 * fakes' state instead would make test fakes a second, durable implementation of each
 * provider; the demo repositories (.gitlink/git/) do survive.
 */
import { createDeps, type Deps } from '@shared/deps';
import { config } from '@shared/config';
import { createProvider, deleteProvider, SANDBOX_ID_PREFIX, updateProvider } from '@shared/admin/providers';
import type { ProviderConfig } from '@shared/providers/types';
import { startFakeBitbucketCloud } from '../test/providers/bitbucket-cloud';
import { startFakeBitbucketDc } from '../test/providers/bitbucket-dc';
import { startFakeBitbucketServer } from '../test/providers/bitbucket-server';
import { startFakeGitHub } from '../test/providers/github';
import { startFakeGitLab } from '../test/providers/gitlab';
import { providerType } from '@shared/contract/provider-types';
import type { LocalStack } from './app';
import { startSandboxGit } from './sandbox-git';


export interface SandboxProvider {
  id: string;
  displayName: string;
  type: string;
  url: string;
  apiUrl?: string;
  /** OAuth 2.0 client credentials; absent for Bitbucket Server, which signs with its own key pair. */
  clientId?: string;
  clientSecret?: string;
  /** Set when the type's default would be wrong for a fake on 127.0.0.1 (GitHub: loopback counts as GHES). */
  pkce?: boolean;
  /** Runs with the stored config once it is created or updated (Bitbucket Server: trust its public key). */
  trust?(config: ProviderConfig): void;
  /** A repository to `git clone` (the providers that serve git over HTTPS). */
  cloneUrl?: string;
  close(): Promise<void>;
}

/** Each sandbox provider: how to start its fake, and the provider config that points at it. */
export type SandboxFactory = (callbackUrl: string) => Promise<SandboxProvider>;

export const sandboxFactories: SandboxFactory[] = [
  async (callbackUrl) => {
    const gh = await startFakeGitHub({ mode: 'page', callbackUrl });
    // The fake, like github.com, supports PKCE (S256 only); a 127.0.0.1 base URL would default to GHES, without it.
    return { id: 'sandbox-github', displayName: 'Sandbox GitHub', type: 'github', pkce: true, ...(await withGit('sandbox-github', 'github', gh)) };
  },
  async () => {
    const gl = await startFakeGitLab({ mode: 'page' });
    return { id: 'sandbox-gitlab', displayName: 'Sandbox GitLab', type: 'gitlab', ...(await withGit('sandbox-gitlab', 'gitlab', gl)) };
  },
  async () => {
    const bbs = await startFakeBitbucketServer({ mode: 'page' });
    return {
      id: 'sandbox-bitbucket-server', displayName: 'Sandbox Bitbucket Server', type: 'bitbucket-server', url: bbs.url,
      // What an admin pastes into the Application Link: the public key the admin API shows.
      trust: (c) => bbs.registerConsumer({ key: c.consumerKey ?? c.clientId, name: c.consumerName ?? 'gitlink', publicKeyPem: c.signingKey!.publicKeyPem }),
      close: () => bbs.close(),
    };
  },
  async () => {
    const dc = await startFakeBitbucketDc({ mode: 'page' });
    return { id: 'sandbox-bitbucket-dc', displayName: 'Sandbox Bitbucket Data Center', type: 'bitbucket-dc', url: dc.url, clientId: dc.clientId, clientSecret: dc.clientSecret, close: () => dc.close() };
  },
  async (callbackUrl) => {
    const bbc = await startFakeBitbucketCloud({ mode: 'page', callbackUrl });
    return { id: 'sandbox-bitbucket-cloud', displayName: 'Sandbox Bitbucket Cloud', type: 'bitbucket-cloud', ...pick(bbc) };
  },
];

type Fake = { url: string; apiUrl: string; clientId: string; clientSecret: string; close(): Promise<void> };

function pick(f: Fake) {
  return { url: f.url, apiUrl: f.apiUrl, clientId: f.clientId, clientSecret: f.clientSecret, close: () => f.close() };
}

/** The fake behind a git front: the front's origin is the base URL; the API stays on the fake. */
async function withGit(id: string, type: 'github' | 'gitlab', fake: Fake & Parameters<typeof startSandboxGit>[0]['fake']) {
  const username = providerType(type).gitUsername!;
  const git = await startSandboxGit({ id, dataDir: config().GITLINK_DATA_DIR, fake, username });
  return { ...pick(fake), url: git.url, cloneUrl: git.cloneUrl, close: () => Promise.all([git.close(), fake.close()]).then(() => undefined) };
}

/** What startSandbox started, and how many links of an earlier run it reset. */
export type StartedSandbox = SandboxProvider[] & { linksReset?: number };

/** Starts the sandbox providers, (re)points their configs at this run's ports and resets their links. */
export async function startSandbox(stack: LocalStack): Promise<StartedSandbox> {
  const deps = createDeps(config());
  const started: StartedSandbox = await Promise.all(sandboxFactories.map((f) => f(`${stack.url}/oauth/callback`)));
  started.linksReset = await resetSandboxLinks(deps, started.map((p) => p.id));
  for (const p of started) {
    const fields = {
      displayName: p.displayName,
      baseUrl: p.url,
      ...(p.apiUrl ? { apiUrl: p.apiUrl } : {}),
      ...(p.clientId ? { clientId: p.clientId, clientSecret: p.clientSecret } : {}),
      ...(p.pkce !== undefined ? { pkce: p.pkce } : {}),
    };
    if (await deps.providers.get(p.id)) await updateProvider(deps, p.id, fields, stack.url);
    else await createProvider(deps, { id: p.id, type: p.type, ...fields }, stack.url, { sandbox: true });
    if (p.trust) p.trust((await deps.providers.get(p.id))!);
  }
  stack.onClose(() => Promise.all(started.map((p) => p.close())).then(() => undefined));
  // Reserved ids this version no longer starts would point at dead ports.
  const current = new Set(started.map((p) => p.id));
  await removeSandboxProviders(deps, stack.url, (id) => !current.has(id));
  return started;
}

/** Deletes every link to these (freshly started, so empty) sandbox providers; returns how many. */
async function resetSandboxLinks(deps: Deps, ids: string[]): Promise<number> {
  const links = (await Promise.all(ids.map((id) => deps.links.listForProvider(id)))).flat();
  await Promise.all(links.map((l) => deps.links.delete(l.userId, l.providerId)));
  return links.length;
}

/**
 * `--no-sandbox`: deletes the `sandbox-*` providers an earlier run saved (they point at
 * ports nothing listens on any more), with their links and client secrets. Returns the ids.
 */
export async function removeSandbox(stack: LocalStack): Promise<string[]> {
  return removeSandboxProviders(createDeps(config()), stack.url, () => true);
}

async function removeSandboxProviders(deps: Deps, origin: string, which: (id: string) => boolean): Promise<string[]> {
  const ids = (await deps.providers.list()).map((p) => p.id).filter((id) => id.startsWith(SANDBOX_ID_PREFIX) && which(id));
  for (const id of ids) await deleteProvider(deps, id, origin);
  return ids;
}
