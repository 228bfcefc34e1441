/** Link round trip through the local stack against the fake GitHub; and handler cold-import time. */
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startFakeGitHub } from '../../providers/github';
import { Browser, startTestStack } from '../../support/local';
import { ms, pct, type Row } from '../run';

export async function run(): Promise<Row[]> {
  const stack = await startTestStack();
  const gh = await startFakeGitHub({ callbackUrl: `${stack.url}/oauth/callback` });
  const admin = await Browser.signIn(stack, 'root', true);
  await admin.api('POST', '/v1/admin/providers', { id: 'gh', type: 'github', displayName: 'GH', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: gh.clientSecret });
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const dev = await Browser.signIn(stack, `bench${i}`);
    gh.behavior.nextUser = `bench${i}`;
    const t0 = performance.now();
    const r = await dev.api('POST', '/v1/links/gh');
    const end = await dev.navigate(r.json.authorizeUrl);
    times.push(performance.now() - t0);
    if (!end.url.includes('linked=gh')) throw new Error(`link failed: ${end.url}`);
  }
  await gh.close();
  await stack.close();

  // Cold import of a handler module in a fresh Node process (what a Lambda cold start pays to load code).
  const cold: number[] = [];
  const root = join(__dirname, '..', '..', '..');
  for (let i = 0; i < 3; i++) {
    const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', "const t=performance.now();require('./functions/oauth-callback');console.log(performance.now()-t)"], {
      cwd: root,
      env: { ...process.env, GITLINK_CRYPTO: 'embedded', GITLINK_DATA_DIR: '/tmp/gitlink-bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    cold.push(Number(out.stdout.trim().split('\n').pop()));
  }
  return [
    { case: 'link round trip p50 (local, fake GitHub)', value: ms(pct(times, 50)), target: '< 300 ms' },
    { case: 'link round trip p95', value: ms(pct(times, 95)) },
    { case: 'oauth-callback cold import (tsx, unbundled)', value: ms(pct(cold, 50)) },
  ];
}
