/**
 * Refresh single-flight through the local server (issue 5 §3): 200 parallel
 * credential requests at an expired GitLab link. The fake GitLab rotates refresh
 * tokens and rejects a reused one, so a second refresh would not just cost a
 * call: it would fail, and its caller would get an error.
 */
import type { LocalStack } from '../../local/app';
import { setLogSink } from '@shared/log';
import { parseEnvToken } from '@shared/env/token';
import { startFakeGitLab, type FakeGitLab } from '../providers/gitlab';
import { addProvider, askCredential, gitHost, link, newEnvToken } from '../support/env';
import { Browser, startTestStack } from '../support/local';

let stack: LocalStack;
let gl: FakeGitLab;
const captured: { logs: unknown[]; secrets: string[] } = { logs: [], secrets: [] };

beforeAll(async () => {
  stack = await startTestStack();
  gl = await startFakeGitLab();
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gitlab', type: 'gitlab', displayName: 'GitLab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
});
afterAll(async () => {
  await gl.close();
  await stack.close();
});

test('200 parallel requests at an expired link: exactly one refresh reaches GitLab; all 200 get the new token', async () => {
  const dev = await Browser.signIn(stack, 'burst');
  // Linked with a token that expires in a minute: inside gitlink's 5-minute refresh window.
  gl.behavior.accessTokenTtlSeconds = 60;
  await link(dev, 'gitlab');
  const token = await newEnvToken(dev);
  const [old] = gl.liveTokensOf('tanuki').map((t) => t.accessToken);
  gl.expireAccessTokens(); // and it is dead at GitLab too
  gl.behavior.accessTokenTtlSeconds = 7200; // refreshed tokens live 2 h
  gl.behavior.refreshCalls = 0;
  gl.behavior.delayMs['/oauth/token'] = 300; // hold the winner at the provider: every other request arrives meanwhile

  const logs: unknown[] = [];
  setLogSink((level, message, fields) => logs.push({ level, message, fields }));
  const replies = await Promise.all(Array.from({ length: 200 }, () => askCredential(stack, token, { protocol: 'http', host: gitHost(gl.url) })));

  const key = await (await fetch(`${stack.url}/v1/env/ssh-key`, { headers: { authorization: `Bearer ${token}` } })).json();
  setLogSink(undefined);

  expect(replies.filter((r) => r.status !== 200).map((r) => r.json)).toEqual([]);
  expect(gl.behavior.refreshCalls).toBe(1);
  const passwords = new Set(replies.map((r) => r.json.password as string));
  expect(passwords.size).toBe(1);
  const [fresh] = [...passwords];
  expect(fresh).not.toBe(old);
  captured.logs = logs;
  captured.secrets = [parseEnvToken(token)!.secret, token, old!, fresh!, key.privateKey.split('\n')[1], ...[...gl.tokens.values()].map((t) => t.refreshToken)];
  const record = gl.tokens.get(fresh!)!;
  expect(record.revoked).toBeNull();
  expect(record.expiresAt).toBeGreaterThan(Date.now() + 60 * 60_000);
});

test('the logs of that run hold no token, secret or private key (ARCHITECTURE.md §7 "Logs")', () => {
  // Filled by the test above (same file, run in order).
  expect(captured.logs.length).toBeGreaterThan(0);
  const text = JSON.stringify(captured.logs);
  for (const secret of captured.secrets) expect(text).not.toContain(secret);
});
