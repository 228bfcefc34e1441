/** The hot path: `POST /v1/git/credential` through the local stack, warm (cached) and with a refresh. */
import { performance } from 'node:perf_hooks';
import { startFakeGitLab } from '../../providers/gitlab';
import { Browser, startTestStack } from '../../support/local';
import { askCredential, gitHost, newEnvToken } from '../../support/env';
import { ms, pct, type Row } from '../run';
import { keys } from '@shared/store/schema';

export async function run(): Promise<Row[]> {
  const stack = await startTestStack();
  const gl = await startFakeGitLab();
  const admin = await Browser.signIn(stack, 'root', true);
  await admin.api('POST', '/v1/admin/providers', { id: 'gl', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  const dev = await Browser.signIn(stack, 'bench');
  gl.behavior.nextUser = 'bench';
  await dev.navigate((await dev.api('POST', '/v1/links/gl')).json.authorizeUrl);
  const token = await newEnvToken(dev);
  const ask = { protocol: 'http', host: gitHost(gl.url) };

  const warm: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const r = await askCredential(stack, token, ask);
    warm.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`credential failed: ${r.status}`);
  }

  // 50 callers at once on a link whose token is inside the refresh window: one refresh, everyone served.
  const key = keys.link('bench', 'gl');
  const item = await stack.table.get(key);
  await stack.table.put({ ...item!, expiresAt: Date.now() + 10_000 });
  const before = gl.behavior.refreshCalls;
  const t0 = performance.now();
  const burst = await Promise.all(Array.from({ length: 50 }, () => askCredential(stack, token, ask)));
  const burstMs = performance.now() - t0;
  if (burst.some((r) => r.status !== 200)) throw new Error('burst failed');
  const refreshes = gl.behavior.refreshCalls - before;

  await gl.close();
  await stack.close();
  return [
    { case: 'credential fetch warm p50 (local)', value: ms(pct(warm, 50)), target: '< 50 ms' },
    { case: 'credential fetch warm p95', value: ms(pct(warm, 95)) },
    { case: '50 parallel fetches needing a refresh', value: `${ms(burstMs)}, ${refreshes} refresh call(s)`, target: '1 refresh' },
  ];
}
