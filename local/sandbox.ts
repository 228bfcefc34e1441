/**
 * Sandbox providers for `npm start`: the test provider servers of test/providers/,
 * in page mode (an approve/deny page), pre-configured as "Sandbox GitHub",
 * "Sandbox GitLab" and "Sandbox Bitbucket Server" / "Data Center" / "Cloud" so a
 * newcomer can sign in, link, see the key registered and unlink, all offline.
 * Never bundled into a Lambda (test/infra/bundle.test.ts).
 */
import { createDeps } from '../shared/deps';
import { config } from '../shared/config';
import { createProvider, updateProvider } from '../shared/admin/providers';
import type { ProviderConfig } from '../shared/providers/types';
import { startFakeBitbucketCloud } from '../test/providers/bitbucket-cloud';
import { startFakeBitbucketDc } from '../test/providers/bitbucket-dc';
import { startFakeBitbucketServer } from '../test/providers/bitbucket-server';
import { startFakeGitHub } from '../test/providers/github';
import { startFakeGitLab } from '../test/providers/gitlab';
import type { LocalStack } from './app';

export interface SandboxProvider {
  id: string;
  displayName: string;
  type: string;
  url: string;
  apiUrl?: string;
  /** OAuth 2.0 client credentials; absent for Bitbucket Server, which signs with its own key pair. */
  clientId?: string;
  clientSecret?: string;
  /** Runs with the stored config once it is created or updated (Bitbucket Server: trust its public key). */
  trust?(config: ProviderConfig): void;
  close(): Promise<void>;
}

/** Each sandbox provider: how to start its fake, and the provider config that points at it. */
export type SandboxFactory = (callbackUrl: string) => Promise<SandboxProvider>;

export const sandboxFactories: SandboxFactory[] = [
  async (callbackUrl) => {
    const gh = await startFakeGitHub({ mode: 'page', callbackUrl });
    return { id: 'sandbox-github', displayName: 'Sandbox GitHub', type: 'github', ...pick(gh) };
  },
  async () => {
    const gl = await startFakeGitLab({ mode: 'page' });
    return { id: 'sandbox-gitlab', displayName: 'Sandbox GitLab', type: 'gitlab', ...pick(gl) };
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

function pick(f: { url: string; apiUrl: string; clientId: string; clientSecret: string; close(): Promise<void> }) {
  return { url: f.url, apiUrl: f.apiUrl, clientId: f.clientId, clientSecret: f.clientSecret, close: () => f.close() };
}

/** Starts the sandbox providers and (re)points their configs at this run's ports. */
export async function startSandbox(stack: LocalStack): Promise<SandboxProvider[]> {
  const deps = createDeps(config());
  const started = await Promise.all(sandboxFactories.map((f) => f(`${stack.url}/oauth/callback`)));
  for (const p of started) {
    const fields = {
      displayName: p.displayName,
      baseUrl: p.url,
      ...(p.apiUrl ? { apiUrl: p.apiUrl } : {}),
      ...(p.clientId ? { clientId: p.clientId, clientSecret: p.clientSecret } : {}),
    };
    if (await deps.providers.get(p.id)) await updateProvider(deps, p.id, fields, stack.url);
    else await createProvider(deps, { id: p.id, type: p.type, ...fields }, stack.url);
    if (p.trust) p.trust((await deps.providers.get(p.id))!);
  }
  stack.onClose(() => Promise.all(started.map((p) => p.close())).then(() => undefined));
  return started;
}
