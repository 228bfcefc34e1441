/**
 * Sign-in: OIDC authorization code + PKCE (S256) with oidc-client-ts.
 *
 * - The user (access and ID tokens) lives in memory only (InMemoryWebStorage):
 *   nothing a script injected later, or another tab, could read from storage.
 *   The price: a full page load (for instance coming back from a Git provider)
 *   signs in again. That is a redirect without typing anything: Cognito's hosted
 *   UI keeps a session, and so does the local dev issuer (a cookie). Sign-out
 *   calls the issuer's end_session_endpoint, which ends that session too.
 * - The round-trip state (PKCE verifier, nonce, our own `Intent`) is kept in
 *   sessionStorage: it holds no token, and it must survive the redirect.
 * - No silent renew and no session-monitor iframe: the CSP forbids frames,
 *   and a 401 from the API simply asks to sign in again.
 */
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { UiConfig } from './config';

/** What to do once signed in: carried across the OIDC round trip in the state store. */
export interface Intent {
  /** Path (+ hash) to show afterwards. */
  returnTo: string;
  /** Back from a provider: `?linked=` / `?error=`. */
  notice?: { linked?: string; warning?: string; error?: string; provider?: string };
  /** A deep link `/link/{providerId}`: start that link. */
  link?: string;
}

export interface Auth {
  user(): Promise<User | null>;
  signIn(intent: Intent): Promise<void>;
  /** Finishes a sign-in redirect; the intent given to `signIn`. */
  completeSignIn(): Promise<{ user: User; intent: Intent }>;
  signOut(): Promise<void>;
}

/** What the current address asks for, before sign-in. */
export function intentFrom(url: URL): Intent {
  const intent: Intent = { returnTo: `/${url.hash}` };
  const deep = /^\/link\/([^/]+)\/?$/.exec(url.pathname);
  if (deep) {
    try {
      intent.link = decodeURIComponent(deep[1]!);
    } catch {
      intent.link = deep[1]!;
    }
  }
  const q = url.searchParams;
  if (q.has('linked')) intent.notice = { linked: q.get('linked')!, ...(q.get('warning') ? { warning: q.get('warning')! } : {}) };
  else if (q.has('error')) intent.notice = { error: q.get('error')!, ...(q.get('provider') ? { provider: q.get('provider')! } : {}) };
  return intent;
}

const SIGNED_OUT = 'gitlink:signed-out';

/** True once after a sign-out, so the landing page can say so. */
export function justSignedOut(): boolean {
  const yes = sessionStorage.getItem(SIGNED_OUT) === '1';
  sessionStorage.removeItem(SIGNED_OUT);
  return yes;
}

export function isSignInCallback(url: URL): boolean {
  // RFC 6749 §4.1.2: a code (or an error) with our state. A link result (`?error=` from
  // gitlink's own callback) never carries `state`.
  return url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'));
}

export function createAuth(cfg: Required<Pick<UiConfig, 'issuer' | 'clientId'>> & UiConfig): Auth {
  const home = `${location.origin}/`;
  const mgr = new UserManager({
    authority: cfg.issuer,
    client_id: cfg.clientId,
    // Exactly the callback registered with the identity provider (infra/identity.ts).
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: cfg.scope,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
    monitorSession: false,
  });

  return {
    user: () => mgr.getUser(),
    signIn: (intent) => mgr.signinRedirect({ state: intent }),
    async completeSignIn() {
      const user = await mgr.signinRedirectCallback();
      const state = (user.state ?? {}) as Partial<Intent>;
      const returnTo = typeof state.returnTo === 'string' && state.returnTo.startsWith('/') && !state.returnTo.startsWith('//') ? state.returnTo : '/';
      return { user, intent: { ...state, returnTo } as Intent };
    },
    async signOut() {
      const user = await mgr.getUser();
      await mgr.removeUser();
      const metadata = await mgr.metadataService.getMetadata().catch(() => undefined);
      const endSession = metadata?.end_session_endpoint;
      // The landing page says "signed out" once; the redirect URI must stay exactly `home`.
      sessionStorage.setItem(SIGNED_OUT, '1');
      if (!endSession) {
        location.assign('/');
        return;
      }
      await mgr.signoutRedirect({
        ...(user?.id_token ? { id_token_hint: user.id_token } : {}),
        post_logout_redirect_uri: home,
        // Provider deviation: Cognito's /logout ignores post_logout_redirect_uri and wants
        // client_id + logout_uri (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html).
        ...(/\.amazoncognito\.com$/.test(new URL(endSession).hostname) ? { extraQueryParams: { logout_uri: home } } : {}),
      });
    },
  };
}
