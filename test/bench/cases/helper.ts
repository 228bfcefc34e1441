/**
 * The helper round trip, as git pays it: `git credential fill` against the local
 * server, for the sh helper (installed by GET /install.sh) and the Node helper
 * (cli/dist), with `git credential-store` (a file read, no network) as the floor
 * measured in the same run; and a second operation with git's credential-cache in
 * front, as `gitlink setup` configures it, which must not leave the machine.
 *
 * Targets: sh helper ≤ 30 ms; the cached second operation ≤ 2 × credential-store.
 * The figures (medians of interleaved rounds, ms) also go to bench/results.json as `helper`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCli } from '../../../cli/build';
import { startFakeGitLab } from '../../providers/gitlab';
import { Browser, startTestStack } from '../../support/local';
import { gitHost, link, newEnvToken, addProvider } from '../../support/env';
import { install, installedHelper, run as runCmd, shellPath, stopCredentialCache } from '../../support/sh';
import { ms, pct, round, type CaseOutput } from '../report';

const RUNS = 40;

export async function run(): Promise<CaseOutput> {
  const tmp = mkdtempSync(join(tmpdir(), 'gitlink-bench-helper-'));
  const [stack, gl, cli] = await Promise.all([startTestStack(), startFakeGitLab(), buildCli(join(tmp, 'cli'))]);
  const admin = await Browser.signIn(stack, 'root', true);
  await addProvider(admin, { id: 'gl', type: 'gitlab', baseUrl: gl.url, clientId: gl.clientId, clientSecret: gl.clientSecret });
  const dev = await Browser.signIn(stack, 'bench');
  await link(dev, 'gl');
  const token = await newEnvToken(dev);

  const home = join(tmp, 'home');
  mkdirSync(home);
  const env = { HOME: home, PATH: `${dirname(process.execPath)}:${shellPath(tmp, 'dash')}`, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GITLINK_URL: stack.url, GITLINK_TOKEN: token };
  const installed = await install(env);
  if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
  const request = `protocol=http\nhost=${gitHost(gl.url)}\n\n`;
  // The sh helper runs as installed: URL and token from the files install.sh wrote (the token
  // file's mode checked on every run), not from the environment the installer was given. The
  // Node helper reads its own config.json, which install.sh does not write: it keeps the variables.
  const { GITLINK_URL: _url, GITLINK_TOKEN: _token, ...installedEnv } = env;
  const node = cli['git-credential-gitlink'];

  // Asynchronous children: the server answering them runs in this process.
  const git = (helpers: string[], op: 'fill' | 'approve', stdin: string) =>
    runCmd('git', ['-c', 'credential.helper=', ...helpers.flatMap((h) => ['-c', `credential.helper=${h}`]), 'credential', op], {
      env: helpers.includes(node) ? env : installedEnv,
      stdin,
    });
  const fill = async (helpers: string[]) => {
    const r = await git(helpers, 'fill', request);
    if (r.code !== 0 || !r.stdout.includes('password=')) throw new Error(`git credential fill (${helpers.join(', ')}) failed: ${r.stderr}`);
    return r.stdout;
  };
  const time = async (helpers: string[]) => {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await fill(helpers);
      xs.push(performance.now() - t0);
    }
    return pct(xs, 50);
  };

  // Where the sh helper's time goes: the one request it makes, by curl alone (no git, no shell),
  // configured as the helper configures it (token on stdin, never in argv).
  const curlConfig = [
    `url = "${stack.url}/v1/git/credential"`,
    'request = "POST"',
    `header = "Authorization: Bearer ${token}"`,
    'header = "Content-Type: text/plain"',
    `data-raw = "${request.replace(/\n/g, '\\n')}"`,
    'silent',
  ].join('\n');
  const timeCurl = async () => {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await runCmd('curl', ['-q', '--config', '-'], { env, stdin: `${curlConfig}\n` });
      xs.push(performance.now() - t0);
      if (r.code !== 0 || !r.stdout.includes('password=')) throw new Error(`curl alone failed: ${r.code} ${r.stderr}`);
    }
    return pct(xs, 50);
  };

  // The floor: a helper that reads a file. Same credential, same git.
  const answer = await fill([installedHelper(home)]);
  const password = /password=(\S+)/.exec(answer)![1]!;
  writeFileSync(join(home, '.git-credentials'), `http://oauth2:${password}@${gitHost(gl.url)}\n`, { mode: 0o600 });
  const cache = 'cache --timeout=300';

  // Interleaved rounds, so a busy moment of the machine falls on every case alike.
  const rounds: Record<'store' | 'sh' | 'node' | 'cached' | 'curl', number[]> = { store: [], sh: [], node: [], cached: [], curl: [] };
  for (let round = 0; round < 3; round++) {
    rounds.store.push(await time(['store']));
    rounds.sh.push(await time([installedHelper(home)]));
    rounds.curl.push(await timeCurl());
    rounds.node.push(await time([node]));
    // The first operation stores into the cache (git runs `approve` after a success); the rest are second operations.
    await git([cache], 'approve', `${request.trimEnd()}\n${answer}\n`);
    rounds.cached.push(await time([cache, installedHelper(home)]));
  }
  await stopCredentialCache(env);
  await gl.close();
  await stack.close();

  const median = (xs: number[]) => pct(xs, 50);
  const f = { credentialStoreMs: median(rounds.store), shMs: median(rounds.sh), curlAloneMs: median(rounds.curl), nodeMs: median(rounds.node), cachedSecondMs: median(rounds.cached) };
  return {
    rows: [
      { case: 'git credential fill: credential-store (floor)', value: ms(f.credentialStoreMs) },
      { case: 'git credential fill: sh helper as installed (local server)', value: ms(f.shMs), target: '≤ 30 ms', met: f.shMs <= 30 },
      { case: "the sh helper's one request, by curl alone (no git, no shell)", value: ms(f.curlAloneMs) },
      { case: 'git credential fill: Node helper (local server)', value: ms(f.nodeMs) },
      { case: 'second operation, credential-cache in front', value: ms(f.cachedSecondMs), target: `≤ 2 × store (${ms(2 * f.credentialStoreMs)})`, met: f.cachedSecondMs <= 2 * f.credentialStoreMs },
    ],
    results: { helper: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, round(v, 1)])) },
  };
}
