/**
 * The web UI in a real browser (issue 6): Chromium against the in-process local
 * stack with the sandbox providers (the same as `npm start`), signing in through
 * the dev issuer with OIDC code + PKCE. Every page state a test reaches is
 * checked with axe-core (no serious or critical violation), under the shipped
 * CSP (no violation reported), talking to no third party; every test saves a
 * screenshot under test-results/browser/.
 *
 * GITLINK_UPDATE_SCREENSHOTS=1 also copies the README's screenshots to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { LocalStack } from '../../../local/app';
import { startSandbox, type SandboxProvider } from '../../../local/sandbox';
import { buildWeb } from '../../../web/build';
import { axeViolations, CHROMIUM, devLogin, hasChromium, launchBrowser, newContext, projectRoot, screenshot, signIn, watch, type PageWatch } from '../../support/browser';
import { startTestStack } from '../../support/local';

const describeBrowser = hasChromium() ? describe : describe.skip;
if (!hasChromium()) test.skip(`browser tests [skipped: no Chromium at ${CHROMIUM}; .ci/run installs it]`, () => undefined);

jest.setTimeout(30_000);

let stack: LocalStack;
let sandbox: SandboxProvider[];
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium()) return;
  // The ui function serves web/dist; build it first, as `npm start` does.
  const [, started, launched] = await Promise.all([
    buildWeb(),
    (async () => {
      let providers: SandboxProvider[] = [];
      const s = await startTestStack({ onListening: async (st) => (providers = await startSandbox(st)) });
      return { s, providers };
    })(),
    launchBrowser(),
  ]);
  stack = started.s;
  sandbox = started.providers;
  browser = launched;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** One fresh browser profile per test: tokens live in page memory only, so nothing leaks between tests. */
let context: BrowserContext;
let page: Page;
let seen: PageWatch;
beforeEach(async () => {
  if (!hasChromium()) return;
  context = await newContext(browser, stack.url);
  page = await context.newPage();
  seen = watch(page);
});
afterEach(async () => {
  if (!hasChromium()) return;
  await context.close();
  expect(seen.cspViolations).toEqual([]);
  expect(seen.errors).toEqual([]);
  // No third-party requests: only gitlink's own origin and the local sandbox providers.
  const allowed = new Set([stack.url, ...sandbox.map((p) => new URL(p.url).origin)]);
  expect([...seen.origins].filter((o) => !allowed.has(o))).toEqual([]);
});

async function expectAccessible() {
  expect(await axeViolations(page)).toEqual([]);
}

/** README screenshots (GITLINK_UPDATE_SCREENSHOTS=1): the top of the page, `maxHeight` pixels at most. */
async function keepForDocs(name: string, maxHeight: number) {
  if (process.env.GITLINK_UPDATE_SCREENSHOTS !== '1') return;
  const dir = join(projectRoot, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({ path: join(dir, name), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, maxHeight) }, animations: 'disabled', caret: 'hide' });
}

/** Waits until `loc` (narrowed to `text`, if given) is visible: the suite waits for elements, never for time. */
const shows = (loc: Locator, text?: string | RegExp) => (text ? loc.filter({ hasText: text }) : loc).first().waitFor();
const gone = (loc: Locator) => loc.first().waitFor({ state: 'detached' });
const isFocused = (loc: Locator) => loc.evaluate((el) => el === document.activeElement);
const banner = (role: 'status' | 'alert', text: string) => page.locator('#banners').getByRole(role).filter({ hasText: text });

/** The add/edit provider form (the page also has read-only copy fields with similar labels). */
const form = { getByLabel: (...a: Parameters<Page['getByLabel']>) => page.locator('form.provider-form').getByLabel(...a), getByRole: (...a: Parameters<Page['getByRole']>) => page.locator('form.provider-form').getByRole(...a), locator: (sel: string) => page.locator('form.provider-form').locator(sel) };

const card = (name: string) => page.locator('.provider-card').filter({ has: page.getByRole('heading', { name, exact: true }) });

describeBrowser('serving the UI', () => {
  test('index.html carries a strict CSP, no-store and the OIDC config; hashed assets are immutable', async () => {
    const res = await page.goto(`${stack.url}/`);
    const headers = res!.headers();
    expect(headers['cache-control']).toBe('no-store');
    const csp = headers['content-security-policy']!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ${stack.url}`);
    const config = JSON.parse((await page.locator('meta[name="gitlink-config"]').getAttribute('content'))!);
    expect(config).toEqual({ issuer: `${stack.url}/dev`, clientId: 'gitlink-local', scope: 'openid profile email' });
    const script = await page.locator('script[type="module"]').getAttribute('src');
    const js = await page.request.get(`${stack.url}${script}`);
    expect(js.headers()['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await expectAccessible();
    await screenshot(page, 'landing');
  });
});

describeBrowser('admin: Git providers', () => {
  test('an admin adds a GitHub provider, sees field errors beside the field, then the callback URL to register', async () => {
    await signIn(page, stack.url, 'root', { admin: true });
    await page.getByRole('link', { name: /Providers/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Git providers' }).waitFor();
    // The sandbox providers are listed, each with its URLs.
    await page.getByRole('heading', { level: 2, name: 'Sandbox GitHub' }).waitFor();
    await expectAccessible();

    await page.getByRole('button', { name: 'Add provider' }).click();
    await form.getByLabel('Type').selectOption('github');
    expect(await form.getByLabel('Base URL').inputValue()).toBe('https://github.com');
    await form.getByLabel('ID', { exact: true }).fill('github-com');
    await form.getByLabel('Display name').fill('GitHub');
    await form.getByLabel('Base URL').fill('ftp://github.com');
    await form.getByLabel('Client ID').fill('Iv1.0123456789abcdef');
    await form.getByLabel('Client secret (write-only)').fill('not-a-real-secret');
    await form.getByRole('button', { name: 'Add provider' }).click();
    // The API's 400 names the field; the UI shows the message beside it.
    await shows(form.locator('[data-field="baseUrl"] .field__error'), 'must use https');
    expect(await form.getByLabel('Base URL').getAttribute('aria-invalid')).toBe('true');
    // The error is tied to the field for screen readers, and the field has the focus.
    expect(await form.getByLabel('Base URL').getAttribute('aria-describedby')).toContain('pf-baseUrl-error');
    expect(await isFocused(form.getByLabel('Base URL'))).toBe(true);
    await expectAccessible();

    await form.getByLabel('Base URL').fill('https://github.com');
    await form.getByRole('button', { name: 'Add provider' }).click();
    const added = page.locator('#provider-github-com');
    await added.getByRole('heading', { level: 2, name: 'GitHub', exact: true }).waitFor();
    await shows(banner('status', 'Added GitHub'));
    expect(await added.getByTestId('callback-url').inputValue()).toBe(`${stack.url}/oauth/callback`);
    expect(await added.getByTestId('homepage-url').inputValue()).toBe(stack.url);
    expect(await added.textContent()).toContain('Paste the Homepage URL and the Authorization callback URL');
    expect(await added.locator('.badge').textContent()).toBe('set');
    // The secret is write-only: it is nowhere on the page.
    expect(await page.content()).not.toContain('not-a-real-secret');
    await expectAccessible();

    await screenshot(page, 'admin-providers');
    await keepForDocs('admin.png', 1200);

    // Copy the callback URL.
    await added.getByRole('button', { name: 'Copy callback URL for GitHub' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${stack.url}/oauth/callback`);

    // Edit: the form shows the secret as set, and keeps it when left empty.
    await added.getByRole('button', { name: 'Edit GitHub' }).click();
    await shows(page.locator('#pf-clientSecret-hint'), 'Currently set.');
    await form.getByLabel('Display name').fill('GitHub.com');
    await expectAccessible();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await added.getByRole('heading', { level: 2, name: 'GitHub.com', exact: true }).waitFor();
    expect(await added.locator('.badge').textContent()).toBe('set');

    // Delete, with confirmation in a modal dialog.
    await added.getByRole('button', { name: 'Delete GitHub.com' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete GitHub.com?' });
    await dialog.waitFor();
    expect(await isFocused(dialog.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await expectAccessible();
    await dialog.getByRole('button', { name: 'Delete provider' }).click();
    await shows(banner('status', 'Deleted GitHub.com'));
    await gone(page.locator('#provider-github-com'));
    await screenshot(page, 'admin-deleted');
  });

  test('Bitbucket Server: the form follows the type; the card shows the consumer and the public key PEM, with Rotate and Confirm', async () => {
    await signIn(page, stack.url, 'root', { admin: true, path: '/#/admin' });
    await page.getByRole('heading', { level: 1, name: 'Git providers' }).waitFor();
    await page.getByRole('button', { name: 'Add provider' }).click();
    await form.getByLabel('Type').selectOption('bitbucket-server');
    // OAuth 1.0a with an RSA key: no client id or secret, a consumer instead.
    await form.getByLabel('Consumer key').waitFor();
    expect(await form.getByLabel('Client ID').count()).toBe(0);
    expect(await form.getByLabel(/Client secret/).count()).toBe(0);
    await form.getByLabel('ID', { exact: true }).fill('bbs');
    await form.getByLabel('Display name').fill('Bitbucket Server');
    await form.getByLabel('Base URL').fill('https://bitbucket.example.com');
    await form.getByLabel('Consumer key').fill('gitlink-bbs');
    await expectAccessible();
    await form.getByRole('button', { name: 'Add provider' }).click();

    const added = page.locator('#provider-bbs');
    await added.getByRole('heading', { level: 2, name: 'Bitbucket Server', exact: true }).waitFor();
    expect(await added.getByLabel('Consumer key').inputValue()).toBe('gitlink-bbs');
    expect(await added.getByLabel('Consumer name').inputValue()).toBe('gitlink');
    const pem = await added.getByLabel('Public key (PEM)').inputValue();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
    await added.getByRole('button', { name: 'Copy public key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pem);
    await expectAccessible();

    // Rotate: a new key waits until the admin confirms it is in the Application Link.
    await added.getByRole('button', { name: 'Rotate signing key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make new key' }).click();
    const pending = added.getByLabel('New public key (PEM)');
    await pending.waitFor();
    const next = await pending.inputValue();
    expect(next).not.toBe(pem);
    await expectAccessible();
    await screenshot(page, 'admin-bitbucket-server-pending');
    await added.getByRole('button', { name: 'Confirm new key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm new key' }).click();
    await gone(pending);
    expect(await added.getByLabel('Public key (PEM)').inputValue()).toBe(next);
    await screenshot(page, 'admin-bitbucket-server');
    // Leave the stack as the developer tests expect it: only the sandbox providers.
    const del = await fetch(`${stack.url}/v1/admin/providers/bbs`, { method: 'DELETE', headers: { authorization: `Bearer ${await stack.issuer.mint('root', true)}` } });
    expect(del.status).toBe(200);
  });

  test('a developer does not see the Providers page', async () => {
    await signIn(page, stack.url, 'dora');
    expect(await page.getByRole('link', { name: /Providers/ }).count()).toBe(0);
    // Typing the admin address (same document: a hash change) shows the developer page instead.
    await page.goto(`${stack.url}/#/admin`);
    await shows(banner('status', 'for gitlink admins'));
    await page.getByRole('heading', { level: 1, name: 'Your accounts' }).waitFor();
    await screenshot(page, 'admin-refused');
  });
});

describeBrowser('developer: linked accounts', () => {
  test('a developer links Sandbox GitHub through the approve page and sees "Linked as …"', async () => {
    // A token made earlier (through the API), so the page shows a full picture.
    const res = await fetch(`${stack.url}/v1/me/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await stack.issuer.mint('alice', false)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'laptop-devbox', expiresInDays: 90 }),
    });
    expect(res.status).toBe(201);
    await signIn(page, stack.url, 'alice');
    await card('Sandbox GitHub').getByRole('button', { name: 'Link Sandbox GitHub', exact: true }).click();
    // The sandbox provider's approve page.
    await page.locator('#approve').waitFor();
    await page.locator('#username').fill('alice-gh');
    await page.locator('#approve').click();
    // Back at gitlink: the token was in memory only, so the UI signs in again, but the
    // issuer's session answers at once (as Cognito's does): no second form, straight to the banner.
    await shows(banner('status', 'Linked Sandbox GitHub'), 'linked as alice-gh');
    await shows(card('Sandbox GitHub'), 'Linked as alice-gh');
    expect(await card('Sandbox GitHub').textContent()).toContain('SSH key registered');
    // The ?linked= query is gone from the address bar.
    expect(new URL(page.url()).search).toBe('');
    await page.getByTestId('public-key').waitFor();
    expect(await page.getByTestId('public-key').inputValue()).toMatch(/^ssh-ed25519 /);
    await expectAccessible();
    await screenshot(page, 'developer-linked');
    await keepForDocs('developer.png', 1800);
    expect(seen.loginForms).toBe(1); // the first sign-in only
  });

  test('unlinks after confirmation and reports each step', async () => {
    await signIn(page, stack.url, 'alice');
    await shows(card('Sandbox GitHub'), 'Linked as alice-gh');
    await card('Sandbox GitHub').getByRole('button', { name: 'Unlink Sandbox GitHub' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unlink Sandbox GitHub?' });
    await dialog.waitFor();
    await expectAccessible();
    // Escape cancels, keeps the link, and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await gone(dialog);
    expect(await isFocused(card('Sandbox GitHub').getByRole('button', { name: 'Unlink Sandbox GitHub' }))).toBe(true);
    await shows(card('Sandbox GitHub'), 'Linked as alice-gh');

    await card('Sandbox GitHub').getByRole('button', { name: 'Unlink Sandbox GitHub' }).click();
    await dialog.getByRole('button', { name: 'Unlink' }).click();
    const report = banner('status', 'Unlinked Sandbox GitHub');
    await shows(report);
    const text = await report.textContent();
    expect(text).toContain('SSH key removed from the provider: done.');
    expect(text).toContain('Access token revoked at the provider: done.');
    expect(text).toContain('Link forgotten by gitlink: done.');
    await shows(card('Sandbox GitHub'), 'Not linked');
    await card('Sandbox GitHub').getByRole('button', { name: 'Link Sandbox GitHub', exact: true }).waitFor();
    await expectAccessible();
    await screenshot(page, 'developer-unlinked');
  });

  test('denying at the provider shows an error banner', async () => {
    await signIn(page, stack.url, 'erin');
    // Keyboard only: focus the button and press Enter.
    await card('Sandbox GitLab').getByRole('button', { name: 'Link Sandbox GitLab', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#deny').click();
    await shows(banner('alert', 'Linking Sandbox GitLab failed'), 'You declined the request at Sandbox GitLab');
    await shows(card('Sandbox GitLab'), 'Not linked');
    expect(new URL(page.url()).search).toBe('');
    await expectAccessible();
    await screenshot(page, 'developer-denied');
    expect(seen.loginForms).toBe(1);
  });

  test('the deep link /link/{providerId} starts that link right after sign-in, and at once when already signed in', async () => {
    await page.goto(`${stack.url}/link/sandbox-gitlab`);
    await devLogin(page, 'frank');
    // Straight on to the provider's approve page.
    await page.locator('#approve').waitFor();
    await page.locator('#username').fill('frank-gl');
    await page.locator('#approve').click();
    await shows(card('Sandbox GitLab'), 'Linked as frank-gl');
    expect(new URL(page.url()).pathname).toBe('/');
    await screenshot(page, 'developer-deep-link');
    expect(seen.loginForms).toBe(1);

    // Already signed in (the issuer's session): the next deep link goes straight to the provider.
    await page.goto(`${stack.url}/link/sandbox-github`);
    await page.locator('#approve').waitFor();
    await page.locator('#username').fill('frank-gh');
    await page.locator('#approve').click();
    await shows(card('Sandbox GitHub'), 'Linked as frank-gh');
    await page.getByTestId('user-name').filter({ hasText: 'frank' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(seen.loginForms).toBe(1);
  });

  test('unlinking a provider with no revocation API says where to revoke gitlink\'s access by hand', async () => {
    await signIn(page, stack.url, 'kate');
    await card('Sandbox Bitbucket Server').getByRole('button', { name: 'Link Sandbox Bitbucket Server', exact: true }).click();
    await page.locator('#approve').waitFor();
    await page.locator('#username').fill('kate-bbs');
    await page.locator('#approve').click();
    await shows(card('Sandbox Bitbucket Server'), 'Linked as kate-bbs');
    await card('Sandbox Bitbucket Server').getByRole('button', { name: 'Unlink Sandbox Bitbucket Server' }).click();
    await page.getByRole('dialog', { name: 'Unlink Sandbox Bitbucket Server?' }).getByRole('button', { name: 'Unlink' }).click();
    const report = banner('status', 'Unlinked Sandbox Bitbucket Server');
    await shows(report);
    const text = (await report.textContent())!;
    expect(text).toContain('SSH key removed from the provider: done.');
    // Application-link tokens last years: the report must not say they expire on their own.
    expect(text).toContain('Access token revoked at the provider: not supported by Sandbox Bitbucket Server.');
    expect(text).toContain('Manage account → Authorized applications');
    expect(text).not.toMatch(/expires on its own/);
    expect(await report.getAttribute('class')).toContain('banner--warning'); // something is left to do
    await expectAccessible();
    await screenshot(page, 'developer-unlinked-bitbucket-server');
  });

  test('rotates the SSH key after confirmation', async () => {
    await signIn(page, stack.url, 'gina');
    await page.getByTestId('fingerprint').waitFor();
    const before = (await page.getByTestId('fingerprint').textContent())!;
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog', { name: 'Rotate your SSH key?' }).getByRole('button', { name: 'Rotate key' }).click();
    await shows(banner('status', 'SSH key rotated'));
    expect(await page.getByTestId('fingerprint').textContent()).not.toBe(before);
    await page.getByRole('button', { name: 'Copy public key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await page.getByTestId('public-key').inputValue());
    await screenshot(page, 'developer-ssh-rotated');
  });
});

describeBrowser('developer: environment tokens', () => {
  test('creates a token, shown once, copies it, lists it and revokes it', async () => {
    await signIn(page, stack.url, 'hank');
    const tokens = page.locator('#tokens');
    await tokens.getByLabel('Token name').fill('devbox');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const fresh = page.getByTestId('new-token');
    await fresh.waitFor();
    const value = await fresh.inputValue();
    expect(value).toMatch(/^glk_/);
    await page.getByRole('button', { name: 'Copy token', exact: true }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    await tokens.getByRole('row', { name: /devbox/ }).waitFor();
    await expectAccessible();
    await screenshot(page, 'developer-token-created');

    // Shown once: after "Done" it is gone from the page.
    await page.getByRole('button', { name: 'Done, I have copied it' }).click();
    await gone(fresh);
    expect(await page.content()).not.toContain(value);

    await tokens.getByRole('button', { name: 'Revoke token devbox' }).click();
    await page.getByRole('dialog', { name: 'Revoke token “devbox”?' }).getByRole('button', { name: 'Revoke' }).click();
    await shows(banner('status', 'Token “devbox” revoked'));
    await gone(tokens.getByRole('row', { name: /devbox/ }));
    await screenshot(page, 'developer-token-revoked');
  });

  test('the expiry picker offers exactly the lifetimes the server grants; the new token and the list show the real expiry', async () => {
    await signIn(page, stack.url, 'ivy');
    const tokens = page.locator('#tokens');
    const picker = tokens.getByLabel('Expires after');
    // A "Never" choice used to create a 90-day token silently: every choice is a lifetime the server grants.
    expect(await picker.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]))).toEqual([
      ['7', '7 days'],
      ['30', '30 days'],
      ['90', '90 days'],
      ['365', '1 year'],
    ]);
    expect(await picker.inputValue()).toBe('90');
    await tokens.getByLabel('Token name').fill('yearly');
    await picker.selectOption('365');
    const asked = Date.now();
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByTestId('new-token-expiry').locator('time').getAttribute('datetime');
    const listed = await tokens.getByRole('row', { name: /yearly/ }).locator('time').last().getAttribute('datetime');
    expect(listed).toBe(shown);
    const year = 365 * 86_400_000;
    expect(Date.parse(shown!)).toBeGreaterThanOrEqual(asked + year - 60_000);
    expect(Date.parse(shown!)).toBeLessThanOrEqual(Date.now() + year + 60_000);
  });
});

describeBrowser('sign-out', () => {
  test('signs out at the issuer, ending its session: signing in again shows the form', async () => {
    await signIn(page, stack.url, 'ivan');
    const session = async () => (await context.cookies(`${stack.url}/dev/login`)).find((c) => c.name === 'gitlink-dev-session');
    expect(await session()).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/dev' });
    // While the issuer's session lives, a reload (the token was in memory only) signs in without the form.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('user-name').filter({ hasText: 'ivan' }).waitFor();
    expect(seen.loginForms).toBe(1);

    const logout = page.waitForRequest((r) => new URL(r.url()).pathname === '/dev/logout');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await logout; // the UI calls the issuer's end_session_endpoint
    await shows(banner('status', 'You are signed out.'));
    expect(await session()).toBeUndefined();
    await expectAccessible();
    await screenshot(page, 'signed-out');

    // Visiting / again shows the sign-in page, not a silent re-login.
    await page.goto(`${stack.url}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/dev\/login/);
    await page.locator('#username').waitFor();
    expect(seen.loginForms).toBe(2);
    // A deep link (which goes to the issuer on its own) also meets the form.
    await page.goto(`${stack.url}/link/sandbox-gitlab`);
    await page.waitForURL(/\/dev\/login/);
    await page.locator('#username').waitFor();
    expect(seen.loginForms).toBe(3);
    await devLogin(page, 'ivan');
    await page.locator('#approve').waitFor(); // signed in again, on to the provider
  });
});

describeBrowser('a 390 px wide phone', () => {
  /** What sticks out of the viewport sideways: the page scrolling, or an element (a button cut off) past either edge. */
  const overflow = () =>
    page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out = Array.from(document.querySelectorAll<HTMLElement>('body *'))
        .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('.visually-hidden, .skip-link'))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className || ''}${el.textContent ? ` "${el.textContent.trim().slice(0, 30)}"` : ''}`);
      return { scrolls: document.documentElement.scrollWidth > width, out: out.slice(0, 10) };
    });

  test('the admin page (list, Bitbucket Server key, add form) and the developer page fit, with every button on screen', async () => {
    await signIn(page, stack.url, 'root', { admin: true }); // at the default width: the name is hidden at 390 px
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: /Providers/ }).click();
    await page.getByRole('heading', { level: 2, name: 'Sandbox Bitbucket Server' }).waitFor();
    expect(await overflow()).toEqual({ scrolls: false, out: [] });
    await expectAccessible();
    await screenshot(page, 'admin-390');

    await page.getByRole('button', { name: 'Add provider' }).click();
    await form.getByLabel('Type').selectOption('github');
    await form.getByRole('button', { name: 'Add provider' }).waitFor();
    expect(await overflow()).toEqual({ scrolls: false, out: [] });
    await expectAccessible();
    await screenshot(page, 'admin-form-390');

    await page.getByRole('link', { name: /accounts/i }).click();
    await card('Sandbox GitLab').waitFor();
    expect(await overflow()).toEqual({ scrolls: false, out: [] });
    await expectAccessible();
    await screenshot(page, 'developer-390');
  });
});

describeBrowser('admin: developers and the audit (issue 14)', () => {
  test('an admin finds a developer, removes everything they hold after a confirmation, reads the report, then the audit', async () => {
    const olga = await stack.issuer.mint('olga', false);
    const made = await fetch(`${stack.url}/v1/me/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${olga}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'olga-box' }),
    });
    const envToken = ((await made.json()) as { token: string }).token;
    expect((await fetch(`${stack.url}/v1/me/ssh-key`, { headers: { authorization: `Bearer ${olga}` } })).status).toBe(200);

    await signIn(page, stack.url, 'root', { admin: true });
    await page.getByRole('link', { name: 'Developers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Developers' }).waitFor();
    await page.getByLabel('User id').fill('olga');
    await page.getByRole('button', { name: 'Search' }).click();
    await shows(page.getByRole('cell', { name: 'olga-box' }));
    await shows(page.locator('main'), /SHA256:/);
    await expectAccessible();

    // Escape cancels and removes nothing.
    await page.getByRole('button', { name: 'Remove developer…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove everything olga holds?' });
    await dialog.waitFor();
    await expectAccessible();
    await page.keyboard.press('Escape');
    await gone(dialog);
    await shows(page.getByRole('cell', { name: 'olga-box' }));

    await page.getByRole('button', { name: 'Remove developer…' }).click();
    await dialog.getByRole('button', { name: 'Remove developer' }).click();
    await shows(banner('status', 'Removed olga'), 'Nothing is left to do');
    await shows(page.getByTestId('offboard-report'), '1 environment token(s) revoked; SSH key pair deleted.');
    await shows(page.locator('main'), 'olga holds nothing in gitlink.');
    await expectAccessible();
    await screenshot(page, 'admin-developer-removed');
    // Refused at its very next use.
    const refused = await fetch(`${stack.url}/v1/git/credential`, { method: 'POST', headers: { authorization: `Bearer ${envToken}`, 'content-type': 'application/json' }, body: '{"protocol":"https","host":"example.com"}' });
    expect(refused.status).toBe(401);

    // The page's first, unfiltered answer is held back until the filtered one has arrived: a
    // late answer must not replace the filtered list (it did, now and then, in CI).
    let releaseUnfiltered!: () => void;
    const unfilteredHeld = new Promise<void>((r) => (releaseUnfiltered = r));
    let unfilteredDone!: () => void;
    const unfilteredAnswered = new Promise<void>((r) => (unfilteredDone = r));
    await page.route(/\/v1\/admin\/audit\?/, async (route) => {
      if (new URL(route.request().url()).searchParams.get('user')) return route.continue();
      await unfilteredHeld;
      await route.continue();
      unfilteredDone();
    });
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await page.getByLabel('Developer (optional)').fill('olga');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/v1/admin/audit?') && new URL(r.url()).searchParams.get('user') === 'olga'),
      page.getByRole('button', { name: 'Show' }).click(),
    ]);
    const rows = page.getByTestId('audit-list').locator('tbody tr td:nth-child(2)');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-list"] tbody tr').length === 3, undefined, { timeout: 10_000 }).catch(() => undefined);
    releaseUnfiltered();
    await unfilteredAnswered;
    await page.waitForTimeout(200); // the late answer's handler has run
    await page.unroute(/\/v1\/admin\/audit\?/);
    expect(await rows.allTextContents()).toEqual(['user.offboarded', 'env_token.revoked', 'env_token.created']);
    await expectAccessible();
    await screenshot(page, 'admin-audit');
  });
});
