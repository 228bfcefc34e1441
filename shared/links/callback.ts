/**
 * `GET /oauth/callback`: finishes a link (ARCHITECTURE.md §3 step 3), as a short list
 * of named steps. Every outcome is a 302 to the UI with
 * `?linked=` or `?error=`; the state is consumed first, so it never works twice.
 */
import * as z from '../zod';
import type { LinkWarning, RedirectCode } from '../contract/errors';
import type { Deps } from '../deps';
import { toAppError } from '../errors';
import { log } from '../log';
import { providerFor } from '../providers';
import { ProviderError } from '../providers/http';
import type { Identity, Provider, ProviderConfig, ProviderContext, TokenSet } from '../providers/types';
import { hasTokens, type LinkRecord } from '../store/links';
import type { StateRecord } from '../store/states';
import { AlreadyConsumed, StaleVersion } from '../store/table';
import { ensureUserKey } from '../ssh/user-key';
import { bindingCookieName, clearBindingCookie, nonceMatches } from './browser-binding';
import { linkStateContext } from './start';
import { providerContext } from '../credentials/provider-context';
import { encryptTokens } from '../credentials/tokens';
import { refreshDueAt } from '../store/refresh-due';

/** A callback that ends in `?error=code`: only codes the contract lets a browser route redirect with. */
export class LinkFailure extends Error {
  constructor(
    readonly code: RedirectCode,
    readonly providerId?: string,
    readonly detail?: string,
  ) {
    super(code);
    this.name = 'LinkFailure';
  }
}

const token = z.optional(z.string().check(z.minLength(1), z.maxLength(2048), z.regex(/^[\x21-\x7e]+$/)));
/** RFC 6749 §4.1.2 / §4.1.2.1 and RFC 5849 §2.2. Unknown parameters are ignored, as RFC 6749 §3.1 asks. */
export const callbackQuery = z.object({
  state: token,
  code: token,
  error: z.optional(z.string().check(z.maxLength(256))),
  oauth_token: token,
  oauth_verifier: token,
  oauth_problem: z.optional(z.string().check(z.maxLength(256))),
});
export type CallbackQuery = z.infer<typeof callbackQuery>;

interface Flow {
  deps: Deps;
  origin: string;
  query: CallbackQuery;
  cookies: Record<string, string>;
  state?: StateRecord;
  secrets?: Record<string, string>;
  config?: ProviderConfig;
  provider?: Provider;
  ctx?: ProviderContext;
  tokens?: TokenSet;
  identity?: Identity;
  existing?: LinkRecord;
  link?: LinkRecord;
  warning?: LinkWarning;
  /** The browser held this attempt's nonce: only then may its cookie be cleared. */
  bound?: boolean;
  /** The code went to the provider once already (spent or refused there). */
  codeSent?: boolean;
}

type Step = (f: Flow) => Promise<void>;

/** Maps a provider failure to the stable error code the UI shows. */
function failureCode(e: unknown, fallback: RedirectCode): RedirectCode {
  if (e instanceof ProviderError) {
    if (e.kind === 'timeout') return 'provider_timeout';
    if (e.kind === 'network') return 'provider_unreachable';
    if (e.kind === 'transient') return 'provider_unavailable';
    if (e.oauthError === 'access_denied') return 'access_denied';
  }
  return fallback;
}

const consumeState: Step = async (f) => {
  const { state, oauth_token: requestToken } = f.query;
  // Issue 10 attack 1: a leaked callback replayed as `?state=<mine>&oauth_token=<theirs>` would
  // consume one attempt and exchange another. Both present must name the same attempt.
  if (state !== undefined && requestToken !== undefined && state !== requestToken) {
    throw new LinkFailure('invalid_request', undefined, 'state and oauth_token disagree');
  }
  const correlation = state ?? requestToken;
  if (!correlation) throw new LinkFailure('invalid_request', undefined, 'no state or oauth_token');
  try {
    f.state = await f.deps.states.consume(correlation);
  } catch (e) {
    if (e instanceof AlreadyConsumed) throw new LinkFailure('invalid_state', undefined, 'state unknown, used or expired');
    throw e;
  }
};

/** RFC 6749 §4.1.2.1: the provider reports the refusal; the state is spent either way. */
const stopOnProviderError: Step = async (f) => {
  const error = f.query.error ?? f.query.oauth_problem;
  if (error) {
    const code = error === 'access_denied' || error === 'permission_denied' || error === 'user_refused' ? 'access_denied' : 'provider_error';
    throw new LinkFailure(code, f.state!.providerId, `provider error ${error}`);
  }
};

const checkBrowserBinding: Step = async (f) => {
  const nonce = f.cookies[bindingCookieName(f.state!.providerId)];
  if (!nonceMatches(nonce, f.state!.nonceHash)) {
    throw new LinkFailure('browser_mismatch', f.state!.providerId, 'binding cookie missing or wrong');
  }
  f.bound = true;
};

const loadProvider: Step = async (f) => {
  const { userId, providerId } = f.state!;
  const config = await f.deps.providers.get(providerId);
  if (!config) throw new LinkFailure('unknown_provider', providerId);
  f.config = config;
  f.provider = providerFor(config.type);
  f.ctx = providerContext(f.deps, config, f.origin);
  f.secrets = JSON.parse((await f.deps.crypto.decrypt(f.state!.secretsCt, linkStateContext(userId, providerId))).toString('utf8')) as Record<string, string>;
};

const exchangeCode: Step = async (f) => {
  f.codeSent = true;
  try {
    f.tokens = await f.provider!.finishAuthorization(f.ctx!, { query: f.query as Record<string, string>, secrets: f.secrets! });
  } catch (e) {
    throw new LinkFailure(failureCode(e, 'exchange_failed'), f.state!.providerId, (e as Error).message);
  }
};

const readIdentity: Step = async (f) => {
  try {
    f.identity = await f.provider!.api(f.ctx!, f.tokens!).identity();
  } catch (e) {
    throw new LinkFailure(failureCode(e, 'identity_failed'), f.state!.providerId, (e as Error).message);
  }
};

/** A developer stays linked to one account per provider: switching accounts needs an unlink first. */
const refuseIdentityChange: Step = async (f) => {
  f.existing = await f.deps.links.get(f.state!.userId, f.state!.providerId);
  // A link retired by a provider move names an account at the old host: the new host's account replaces it.
  if (f.existing && hasTokens(f.existing) && f.existing.accountId !== f.identity!.accountId) {
    throw new LinkFailure('account_mismatch', f.state!.providerId, `linked to ${f.existing.accountId}, got ${f.identity!.accountId}`);
  }
};

const storeLink: Step = async (f) => {
  const { userId, providerId } = f.state!;
  const now = new Date(f.deps.now()).toISOString();
  const due = refreshDueAt(f.provider!, !!f.tokens!.refreshToken, f.deps.now());
  // A retired link's key id belongs to the old host (provider-move.ts): never carried over.
  const sameAccount = !!f.existing && hasTokens(f.existing) && f.existing.accountId === f.identity!.accountId;
  try {
    f.link = await f.deps.links.save(
      {
        userId,
        providerId,
        accountId: f.identity!.accountId,
        login: f.identity!.login,
        ...(await encryptTokens(f.deps.crypto, userId, providerId, f.tokens!)),
        ...(f.tokens!.expiresAt ? { expiresAt: f.tokens!.expiresAt } : {}),
        scopes: f.tokens!.scopes ?? f.config!.scopes,
        ...(sameAccount && f.existing?.sshKeyId ? { sshKeyId: f.existing.sshKeyId } : {}),
        ...(sameAccount && f.existing?.sshKeyFingerprint ? { sshKeyFingerprint: f.existing.sshKeyFingerprint } : {}),
        ...(due !== undefined ? { refreshDueAt: due } : {}),
        linkedAt: f.existing?.linkedAt ?? now,
        updatedAt: now,
      },
      f.existing?.version ?? 0,
    );
  } catch (e) {
    if (e instanceof StaleVersion) throw new LinkFailure('link_conflict', providerId, 'link changed during the callback');
    throw e;
  }
};

/** Upload the developer's public key. A failure here keeps the link and is reported as a warning. */
const registerKey: Step = async (f) => {
  const { userId, providerId } = f.state!;
  try {
    const key = await ensureUserKey(f.deps, userId);
    const remote = await f.provider!.api(f.ctx!, f.tokens!).addSshKey(key.publicKey, `gitlink (${new URL(f.origin).host})`);
    f.link = await f.deps.links.update(userId, providerId, f.link!.version, { sshKeyId: remote.id, sshKeyFingerprint: key.fingerprint });
  } catch (e) {
    log.warn('ssh key upload failed', { providerId, errorCode: (e as { code?: string }).code, error: e });
    f.warning = 'ssh_key_failed';
  }
};

/** Tell the rest of the organisation (docs/events.md): the link exists, whatever became of the key. */
const announceLink: Step = async (f) => {
  const { userId, providerId } = f.state!;
  await f.deps.events.emit('link.created', {
    subjectUserId: userId,
    providerId,
    actor: { kind: 'developer', id: userId },
    detail: { login: f.link!.login, accountId: f.link!.accountId, scopes: f.link!.scopes, sshKeyRegistered: !!f.link!.sshKeyId },
  });
};

export const callbackSteps: Step[] = [
  consumeState,
  stopOnProviderError,
  checkBrowserBinding,
  loadProvider,
  exchangeCode,
  readIdentity,
  refuseIdentityChange,
  storeLink,
  registerKey,
  announceLink,
];

/**
 * Issue 10 attack 2: a callback gitlink refuses must leave its code unusable and no live
 * token behind. Without PKCE nothing binds a code to its state, so a leaked callback could be
 * replayed under another attempt of the attacker's. So once a state was consumed:
 * - a code not yet exchanged is redeemed now (codes are single-use, RFC 6749 §4.1.2), unless
 *   the attempt used PKCE: then only this attempt's verifier, consumed with the state, redeems it;
 * - whatever tokens the code yielded are revoked, this token only where the provider can
 *   (GitHub's grant holds the user's other links). Bitbucket Cloud and Data Center have no
 *   revocation endpoint: their tokens are dropped unstored (README "Security notes").
 * Best effort: the callback's answer stays the refusal.
 */
async function discardGrant(f: Flow): Promise<void> {
  if (!f.state || f.link) return;
  try {
    if (!f.tokens && !f.codeSent && f.query.code && !f.query.error) {
      if (!f.provider) await loadProvider(f);
      if (f.provider!.protocol !== 'oauth2' || f.secrets!.codeVerifier) return;
      f.tokens = await f.provider!.finishAuthorization(f.ctx!, { query: f.query as Record<string, string>, secrets: f.secrets! });
    }
    if (f.tokens) await (f.provider!.revokeToken ?? f.provider!.revoke)(f.ctx!, f.tokens);
  } catch (e) {
    log.warn('refused callback: its grant could not be discarded', { providerId: f.state.providerId, errorCode: (e as { code?: string }).code });
  }
}

export interface CallbackOutcome {
  location: string;
  cookies: string[];
}

export async function finishLink(deps: Deps, origin: string, query: CallbackQuery, cookies: Record<string, string>): Promise<CallbackOutcome> {
  const flow: Flow = { deps, origin, query, cookies };
  const ui = new URL(`${origin}/`);
  try {
    for (const step of callbackSteps) await step(flow);
    ui.searchParams.set('linked', flow.state!.providerId);
    if (flow.warning) ui.searchParams.set('warning', flow.warning);
    log.info('link completed', { providerId: flow.state!.providerId, userId: flow.state!.userId, warning: flow.warning });
  } catch (e) {
    // A browser route always ends in a redirect to the UI, even on our own failures.
    // Ours: AWS throttled or timed out through its retries (503), or anything else (500).
    const failure = e instanceof LinkFailure ? e : new LinkFailure(toAppError(e).code === 'backend_unavailable' ? 'backend_unavailable' : 'internal', flow.state?.providerId);
    ui.searchParams.set('error', failure.code);
    if (failure.providerId) ui.searchParams.set('provider', failure.providerId);
    if (e instanceof LinkFailure) log.info('link refused', { errorCode: e.code, providerId: e.providerId, detail: e.detail });
    else log.error('link failed', { providerId: flow.state?.providerId, error: e });
    await discardGrant(flow);
  }
  // Clear the cookie only for the attempt it belongs to: an attacker's URL opened in this
  // browser must not cancel the developer's own link in progress.
  const providerId = flow.state?.providerId;
  return { location: ui.toString(), cookies: providerId && flow.bound ? [clearBindingCookie(providerId)] : [] };
}
