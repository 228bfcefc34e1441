/**
 * A real browser for test/e2e/browser: playwright-core driving Debian's Chromium
 * (/usr/bin/chromium; `.ci/run` installs it with apt-get when missing), plus the
 * helpers every browser test uses: sign in through the dev issuer's form, run
 * axe-core, take a screenshot, and watch for CSP violations and third-party requests.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

export const projectRoot = join(__dirname, '..', '..');
export const resultsDir = join(projectRoot, 'test-results', 'browser');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What a page did that a test should never see. */
export interface PageWatch {
  /** Console messages about Content-Security-Policy violations. */
  cspViolations: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Every origin the page requested. */
  origins: Set<string>;
  /** How many times the dev issuer's sign-in form was shown (a document GET of /dev/login answered 200). */
  loginForms: number;
}

export async function newContext(browser: Browser, origin: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  context.setDefaultTimeout(10_000);
  return context;
}

export function watch(page: Page): PageWatch {
  const w: PageWatch = { cspViolations: [], errors: [], origins: new Set(), loginForms: 0 };
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) w.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'http:' || u.protocol === 'https:') w.origins.add(u.origin);
  });
  page.on('response', (r) => {
    const req = r.request();
    if (req.resourceType() === 'document' && req.method() === 'GET' && new URL(r.url()).pathname === '/dev/login' && r.status() === 200) w.loginForms++;
  });
  return w;
}

/**
 * The dev issuer's sign-in form (local/dev-routes.ts): username, the admin box, submit.
 * Only where the form shows: with a live dev-issuer session (a cookie, as Cognito's hosted
 * UI keeps one) an authorize request comes straight back without it.
 */
export async function devLogin(page: Page, username: string, admin = false): Promise<void> {
  await page.waitForURL(/\/dev\/login/);
  await page.locator('#username').fill(username);
  if (admin) await page.locator('input[name="admin"]').check();
  await page.locator('form button[type="submit"]').click();
}

/** Opens `path`, signs in from the landing page, and waits for the signed-in shell. */
export async function signIn(page: Page, baseUrl: string, username: string, opts: { admin?: boolean; path?: string } = {}): Promise<void> {
  await page.goto(`${baseUrl}${opts.path ?? '/'}`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await devLogin(page, username, opts.admin);
  await page.getByTestId('user-name').filter({ hasText: username }).waitFor();
}

type AxeResults = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> };

/**
 * Runs axe-core in the page (WCAG 2.1 A/AA and best practices) and returns the
 * serious and critical violations, readable in a failure message. The script is
 * evaluated through the DevTools protocol, so the page's CSP stays as strict as shipped.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const axe = require('axe-core') as { source: string };
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axe.source);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<unknown> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  )) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}
