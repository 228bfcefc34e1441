/**
 * gitlink web UI entry: signs in (OIDC code + PKCE), then shows the developer
 * page (`#/`) or, for admins, the providers page (`#/admin`).
 *
 * Arrivals it understands:
 *   /?code=…&state=…                 the identity provider's answer (sign-in callback)
 *   /?linked={id}[&warning=…]        back from a Git provider, linked (ARCHITECTURE.md §3 step 3)
 *   /?error={code}[&provider={id}]   back from a Git provider, refused
 *   /link/{providerId}               deep link printed by git-credential-gitlink: link after sign-in
 * The query is removed from the address bar as soon as it is read.
 */
import './styles.css';
import logoUrl from '../icons/gitlink.svg';
import type { User } from 'oidc-client-ts';
import { ApiError, createApi, type AdminProvider, type Api } from './api';
import { createAuth, intentFrom, isSignInCallback, justSignedOut, type Auth, type Intent } from './auth';
import { readConfig } from './config';
import { renderAdmin } from './admin';
import { renderAudit, renderDevelopers } from './operations';
import { renderDeveloper } from './developer';
import { h, replace } from './dom';
import { showBanner } from './ui';

const app = () => document.getElementById('app')!;

function brand(): HTMLElement {
  return h('a', { class: 'brand', href: '/' }, h('img', { src: logoUrl, alt: '', width: 28, height: 28 }), h('span', null, 'gitlink'));
}

function renderLanding(auth: Auth | undefined, note?: { kind: 'info' | 'error'; text: string }) {
  const signIn = h('button', { type: 'button', class: 'btn btn--primary btn--large' }, 'Sign in');
  signIn.addEventListener('click', () => {
    signIn.disabled = true;
    auth?.signIn({ returnTo: `/${location.hash}` }).catch((e: Error) => {
      signIn.disabled = false;
      showBanner('error', 'Sign-in could not start', e.message);
    });
  });
  replace(
    app(),
    h('header', { class: 'topbar' }, h('div', { class: 'topbar__inner' }, brand())),
    h(
      'main',
      { id: 'main', class: 'landing', tabindex: '-1' },
      h('div', { id: 'banners' }),
      h(
        'div',
        { class: 'card landing__card' },
        h('img', { src: logoUrl, alt: '', width: 56, height: 56, class: 'landing__logo' }),
        h('h1', null, 'Sign in to gitlink'),
        h('p', { class: 'muted' }, 'Link your Git provider accounts once; your development environments then clone and push without pasted tokens or hand-made SSH keys.'),
        auth ? signIn : null,
      ),
    ),
  );
  if (note) showBanner(note.kind, note.text);
}

function renderShell(auth: Auth, user: User, api: Api, admin: { yes: boolean; providers?: AdminProvider[] }, intent: Intent) {
  const name = String(user.profile.preferred_username ?? user.profile.email ?? user.profile['cognito:username'] ?? user.profile.sub);
  const navDev = h('a', { href: '#/', class: 'nav__link' }, 'Your accounts');
  const navAdmin = admin.yes ? h('a', { href: '#/admin', class: 'nav__link' }, 'Providers', h('span', { class: 'nav__tag' }, 'admin')) : null;
  const navDevelopers = admin.yes ? h('a', { href: '#/admin/developers', class: 'nav__link' }, 'Developers') : null;
  const navAudit = admin.yes ? h('a', { href: '#/admin/audit', class: 'nav__link' }, 'Audit') : null;
  const signOut = h('button', { type: 'button', class: 'btn btn--ghost btn--small' }, 'Sign out');
  signOut.addEventListener('click', () => {
    signOut.disabled = true;
    auth.signOut().catch((e: Error) => {
      signOut.disabled = false;
      showBanner('error', 'Sign-out failed', e.message);
    });
  });
  const page = h('div', { id: 'page' });
  replace(
    app(),
    h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'topbar__inner' },
        brand(),
        h('nav', { class: 'nav', 'aria-label': 'Main' }, navDev, navAdmin, navDevelopers, navAudit),
        h('div', { class: 'user' }, h('span', { class: 'user__name' }, 'Signed in as ', h('strong', { 'data-testid': 'user-name' }, name)), signOut),
      ),
    ),
    h('main', { id: 'main', tabindex: '-1' }, h('div', { id: 'banners' }), page),
  );

  let first = true;
  const route = () => {
    const ops = { '#/admin/developers': 'Developers', '#/admin/audit': 'Audit' } as Record<string, string>;
    const wantsAdmin = location.hash === '#/admin' || location.hash in ops;
    const isAdmin = wantsAdmin && admin.yes;
    const current = !isAdmin ? navDev : location.hash === '#/admin' ? navAdmin : location.hash === '#/admin/developers' ? navDevelopers : navAudit;
    for (const link of [navDev, navAdmin, navDevelopers, navAudit]) {
      if (!link) continue;
      if (link === current) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = isAdmin ? `${ops[location.hash] ?? 'Providers'} · gitlink` : 'Your accounts · gitlink';
    if (!first) replace(document.getElementById('banners')!);
    if (isAdmin && location.hash === '#/admin/developers') renderDevelopers(page, { api });
    else if (isAdmin && location.hash === '#/admin/audit') renderAudit(page, { api });
    else if (isAdmin) renderAdmin(page, { api }, first ? admin.providers : undefined);
    else renderDeveloper(page, { api }, first ? intent : {});
    if (wantsAdmin && !admin.yes) showBanner('info', 'The Providers page is for gitlink admins', 'Ask an admin if a Git provider is missing.');
    // After a navigation (not the first paint), move focus to the new page's heading.
    if (!first) document.getElementById('page-title')?.focus();
    first = false;
  };
  window.addEventListener('hashchange', route);
  route();
}

async function boot() {
  const cfg = readConfig();
  if (!cfg.issuer || !cfg.clientId) {
    renderLanding(undefined, { kind: 'error', text: 'Sign-in is not configured: the server has no OIDC issuer and client id (OIDC_ISSUER, OIDC_CLIENT_ID).' });
    return;
  }
  const auth = createAuth({ ...cfg, issuer: cfg.issuer, clientId: cfg.clientId });
  const url = new URL(location.href);
  let user: User | null;
  let intent: Intent;

  if (isSignInCallback(url)) {
    try {
      ({ user, intent } = await auth.completeSignIn());
    } catch (e) {
      history.replaceState(null, '', '/');
      renderLanding(auth, { kind: 'error', text: `Sign-in failed: ${(e as Error).message}` });
      return;
    }
    history.replaceState(null, '', intent.returnTo);
  } else {
    intent = intentFrom(url);
    if (url.search || intent.link) history.replaceState(null, '', intent.returnTo);
    user = await auth.user();
    if (!user) {
      // Back from a provider, or a deep link: carry on through sign-in without a click.
      if (intent.notice || intent.link) return auth.signIn(intent);
      renderLanding(auth, justSignedOut() ? { kind: 'info', text: 'You are signed out.' } : undefined);
      return;
    }
  }

  const api = createApi(
    async () => (await auth.user())?.access_token,
    () => {
      const again = h('button', { type: 'button', class: 'btn btn--primary btn--small' }, 'Sign in again');
      again.addEventListener('click', () => void auth.signIn({ returnTo: `/${location.hash}` }));
      showBanner('error', 'Your session has expired', h('p', null, 'Sign in again to continue.'), again);
    },
  );
  // Admin-ness as the API sees it (ARCHITECTURE.md §6: the group claim, checked server-side).
  const admin: { yes: boolean; providers?: AdminProvider[] } = { yes: false };
  try {
    admin.providers = (await api.get<{ providers: AdminProvider[] }>('/v1/admin/providers')).providers;
    admin.yes = true;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) console.warn('admin check failed', e);
  }
  renderShell(auth, user, api, admin, intent);
}

void boot();
