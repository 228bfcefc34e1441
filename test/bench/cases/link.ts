/**
 * A full link round trip through the local stack against the sandbox GitHub
 * (the fake `npm start` runs): POST /v1/links, the provider's authorize
 * redirect, the callback (state, cookie, code exchange, identity, SSH key
 * upload) and the redirect to the UI.
 */
import { performance } from 'node:perf_hooks';
import { startFakeGitHub } from '../../providers/github';
import { Browser, startTestStack } from '../../support/local';
import { ms, pct, type CaseOutput } from '../report';

const LINKS = 40;

export async function run(): Promise<CaseOutput> {
  const stack = await startTestStack();
  const gh = await startFakeGitHub({ callbackUrl: `${stack.url}/oauth/callback` });
  const admin = await Browser.signIn(stack, 'root', true);
  await admin.api('POST', '/v1/admin/providers', { id: 'gh', type: 'github', displayName: 'GH', baseUrl: gh.url, apiUrl: gh.apiUrl, clientId: gh.clientId, clientSecret: gh.clientSecret });
  const times: number[] = [];
  for (let i = 0; i < LINKS; i++) {
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
  const linkCallback = { p50Ms: pct(times, 50), p95Ms: pct(times, 95) };
  return {
    results: { linkCallback },
    rows: [{ case: `link round trip (local stack, sandbox GitHub, ${LINKS} links)`, value: `p50 ${ms(linkCallback.p50Ms)}, p95 ${ms(linkCallback.p95Ms)}` }],
  };
}
