/**
 * Sandbox providers for `npm start`: the test provider servers of test/providers/,
 * in page mode (an approve/deny page), pre-configured as "Sandbox GitHub" and
 * "Sandbox GitLab" so a newcomer can sign in, link, see the key registered and
 * unlink, all offline. Never bundled into a Lambda (test/infra/bundle.test.ts).
 */
import { createDeps } from '../shared/deps';
import { config } from '../shared/config';
import { createProvider, updateProvider } from '../shared/admin/providers';
import { startFakeGitHub } from '../test/providers/github';
import { startFakeGitLab } from '../test/providers/gitlab';
import type { LocalStack } from './app';

export interface SandboxProvider {
  id: string;
  displayName: string;
  type: string;
  url: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
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
];

function pick(f: { url: string; apiUrl: string; clientId: string; clientSecret: string; close(): Promise<void> }) {
  return { url: f.url, apiUrl: f.apiUrl, clientId: f.clientId, clientSecret: f.clientSecret, close: () => f.close() };
}

/** Starts the sandbox providers and (re)points their configs at this run's ports. */
export async function startSandbox(stack: LocalStack): Promise<SandboxProvider[]> {
  const deps = createDeps(config());
  const started = await Promise.all(sandboxFactories.map((f) => f(`${stack.url}/oauth/callback`)));
  for (const p of started) {
    const fields = { displayName: p.displayName, baseUrl: p.url, apiUrl: p.apiUrl, clientId: p.clientId, clientSecret: p.clientSecret };
    if (await deps.providers.get(p.id)) await updateProvider(deps, p.id, fields, stack.url);
    else await createProvider(deps, { id: p.id, type: p.type, ...fields }, stack.url);
  }
  stack.onClose(() => Promise.all(started.map((p) => p.close())).then(() => undefined));
  return started;
}
