/**
 * The small world most security tests start from: the local stack, a fake GitLab
 * configured as provider `gitlab`, an admin (root), a developer (alice) and her env token.
 */
import { startFakeGitLab, type FakeGitLab } from '../../providers/gitlab';
import { addProvider, link, newEnvToken } from '../../support/env';
import { Browser, startTestStack } from '../../support/local';
import type { LocalStack } from '../../../local/app';

export interface World {
  stack: LocalStack;
  gl: FakeGitLab;
  admin: Browser;
  dev: Browser;
  envToken: string;
  close(): Promise<void>;
}

export async function startWorld(opts: { linked?: boolean } = {}): Promise<World> {
  const stack = await startTestStack();
  const gl = await startFakeGitLab();
  const admin = await Browser.signIn(stack, 'root', true);
  const dev = await Browser.signIn(stack, 'alice');
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  if (opts.linked) await link(dev, 'gitlab');
  const envToken = await newEnvToken(dev);
  return { stack, gl, admin, dev, envToken, close: async () => { await gl.close(); await stack.close(); } };
}
