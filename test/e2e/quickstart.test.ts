/**
 * The README's quickstart, literally: `npm start` (on a free port, with its own
 * data dir), sign in and link Sandbox GitLab through its approve page in
 * Chromium, create an environment token in the web UI, then the README's shell
 * block under dash, with the three values a reader fills in (gitlink's URL, the
 * token, the clone URL `npm start` printed). The push must land in the sandbox's
 * repository, accepted by its `git http-backend` front with the sandbox's token.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, launchBrowser, newContext, projectRoot, signIn } from '../support/browser';
import { run, shellPath, stopCredentialCache } from '../support/sh';

const describeBrowser = hasChromium() ? describe : describe.skip;
if (!hasChromium()) test.skip(`quickstart [skipped: no Chromium at ${CHROMIUM}; .ci/run installs it]`, () => undefined);

/** The README's shell block of step 4, as written there. */
function readmeBlock(): string {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const m = /<!-- quickstart:[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no quickstart shell block');
  return m[1]!;
}

let server: ChildProcess;
let out = '';
let dataDir: string;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  if (!hasChromium()) return;
  tmp = mkdtempSync(join(tmpdir(), 'gitlink-quickstart-'));
  dataDir = join(tmp, 'data');
  // Step 1. Its own process group, so closing it ends the server and what it started.
  server = spawn('npm', ['start'], { cwd: projectRoot, env: { ...process.env, PORT: '0', GITLINK_DATA_DIR: dataDir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (c: Buffer) => (out += c));
  server.stderr!.on('data', (c: Buffer) => (out += c));
  [browser] = await Promise.all([
    launchBrowser(),
    new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (/Sandbox GitLab:\s+git clone \S+/.test(out)) resolve();
        else if (server.exitCode !== null) reject(new Error(`npm start exited: ${out}`));
        else return;
        clearInterval(check);
      }, 100);
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
});

describeBrowser('README quickstart', () => {
  test('npm start, link Sandbox GitLab in the browser, create a token, install under dash, clone, commit, push', async () => {
    const url = /gitlink is running at (\S+)/.exec(out)![1]!;
    const cloneUrl = /Sandbox GitLab:\s+git clone (\S+)/.exec(out)![1]!;

    // Steps 2 and 3, in Chromium.
    const context = await newContext(browser, url);
    const page: Page = await context.newPage();
    await signIn(page, url, 'quickstart');
    await page.getByRole('button', { name: 'Link Sandbox GitLab', exact: true }).click();
    await page.locator('#approve').waitFor();
    await page.locator('#approve').click();
    await page.getByText(/Linked as /).first().waitFor();
    const tokens = page.locator('#tokens');
    await tokens.getByLabel('Token name').fill('quickstart');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByTestId('new-token').inputValue();
    await context.close();
    expect(token).toMatch(/^glk_/);

    // Step 4, the README's block with the reader's three values, under dash.
    const block = readmeBlock()
      .replace('http://localhost:8787', url)
      .replace('glk_…', token)
      .replace('http://127.0.0.1:…/sandbox/demo.git', cloneUrl);
    expect(block).not.toContain('…');
    const r = await run('sh', ['-e', '-c', block], { env: { PATH: shellPath(tmp, 'dash'), TMPDIR: tmp, HOME: tmp } });
    // The throwaway HOME the block made: stop the credential-cache daemon git started there.
    for (const home of readdirSync(tmp).map((d) => join(tmp, d)).filter((d) => existsSync(join(d, '.gitconfig')))) {
      await stopCredentialCache({ HOME: home, PATH: process.env.PATH! });
    }
    if (r.code !== 0) throw new Error(`the quickstart block failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
    expect(r.stdout).toContain('git clone and git push now authenticate through gitlink');

    // The push reached the sandbox GitLab's repository.
    const log = execFileSync('git', ['-C', join(dataDir, 'git', 'sandbox-gitlab', 'sandbox', 'demo.git'), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.split('\n')[0]).toBe('My first push through gitlink');
  });
});
