/**
 * ARCHITECTURE.md §7 "Logs": capture every log line of a full admin-setup, link,
 * key-upload and unlink run, and assert no token, secret, code, state, cookie
 * nonce or private key appears in them.
 */
import { setLogSink } from '@shared/log';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { Browser, startTestStack } from '../support/local';
import { askCredential, gitHost, newEnvToken } from '../support/env';
import type { LocalStack } from '../../local/app';

let stack: LocalStack;
let gl: FakeGitLab;
const lines: string[] = [];

beforeAll(async () => {
  setLogSink((level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields })));
  stack = await startTestStack();
  gl = await startFakeGitLab();
});
afterAll(async () => {
  setLogSink(undefined);
  await gl.close();
  await stack.close();
});

test('a full link, fetch and unlink run logs no secret', async () => {
  const admin = await Browser.signIn(stack, 'root', true);
  await admin.api('POST', '/v1/admin/providers', {
    id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret,
  });
  const dev = await Browser.signIn(stack, 'alice');
  gl.behavior.nextUser = 'alice-gl';
  // Tokens that expire within gitlink's refresh window, so the first fetch refreshes.
  gl.behavior.accessTokenTtlSeconds = 60;
  const start = await dev.api('POST', '/v1/links/gitlab');
  const authorizeUrl = new URL(start.json.authorizeUrl);
  const callback = (await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location')!;
  expect((await dev.navigate(callback)).url).toBe(`${stack.url}/?linked=gitlab`);
  // A refused replay and a bad request log too.
  await dev.navigate(callback);
  await dev.api('POST', '/v1/admin/providers', { clientSecret: 'should-not-log-this-secret' });
  // The environment side: a credential fetch, a refresh of an expired token, a bad token, the SSH key.
  const envToken = await newEnvToken(dev);
  const fetched = await askCredential(stack, envToken, { protocol: 'http', host: gitHost(gl.url) });
  expect(fetched.status).toBe(200);
  expect(gl.behavior.refreshCalls).toBe(1);
  expect((await askCredential(stack, `${envToken}x`, { protocol: 'http', host: gitHost(gl.url) })).status).toBe(401);
  const sshKey = await fetch(`${stack.url}/v1/env/ssh-key`, { headers: { authorization: `Bearer ${envToken}` } }).then((r) => r.json());
  const tokens = [...gl.tokens.values()];
  expect(await dev.api('DELETE', '/v1/links/gitlab')).toMatchObject({ status: 200 });

  const secrets = [
    gl.clientSecret,
    'should-not-log-this-secret',
    authorizeUrl.searchParams.get('state')!,
    authorizeUrl.searchParams.get('code_challenge')!,
    new URL(callback).searchParams.get('code')!,
    start.res.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!,
    ...tokens.flatMap((t) => [t.accessToken, t.refreshToken]),
    dev.token,
    admin.token,
    envToken,
    envToken.split('_').pop()!,
    sshKey.privateKey.split('\n')[1],
  ];
  expect(lines.length).toBeGreaterThan(2);
  const all = lines.join('\n');
  for (const s of secrets) {
    expect(s.length).toBeGreaterThan(8);
    expect(all).not.toContain(s);
  }
  expect(all).not.toMatch(/PRIVATE KEY/);
});
