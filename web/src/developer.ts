/**
 * The developer page: linked accounts (link, unlink, re-link), the SSH public
 * key (copy, rotate) and environment tokens (create once-shown, list, revoke).
 */
import { ApiError, enc, type Api, type EnvToken, type LinkStart, type LinkSummary, type NewEnvToken, type ProviderSummary, type RotationReport, type SshKey, type UnlinkReport } from './api';
import { formatDate, h, hostOf, replace, uid } from './dom';
import { linkErrorMessage, linkWarning, rotationBanner, unlinkStep } from './messages';
import { DEFAULT_TOKEN_DAYS, TOKEN_LIFETIME_CHOICES } from '@shared/contract/env-tokens';
import { describeType } from '@shared/contract/provider-types';
import { iconFor } from './icons';
import { busy, confirmDialog, copyField, showBanner } from './ui';

export interface PageCtx {
  api: Api;
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Try again.');

function section(id: string, title: string, intro: string | Array<string | Node>, ...rest: Node[]): { el: HTMLElement; body: HTMLElement } {
  const headingId = `${id}-title`;
  const body = h('div', { class: 'section__body' }, h('p', { class: 'muted' }, 'Loading…'));
  const el = h('section', { class: 'section', id, 'aria-labelledby': headingId }, h('div', { class: 'section__head' }, h('h2', { id: headingId }, title), h('p', { class: 'section__intro' }, ...(typeof intro === 'string' ? [intro] : intro)), ...rest), body);
  return { el, body };
}

function loadFailed(body: HTMLElement, what: string, e: unknown, retry: () => void) {
  replace(
    body,
    h('div', { class: 'inline-error', role: 'alert' }, h('p', null, `Could not load ${what}: ${errorText(e)}`), h('button', { type: 'button', class: 'btn btn--secondary btn--small', onclick: retry }, 'Try again')),
  );
}

// ── Linked accounts ────────────────────────────────────────────────────────────

/** ARCHITECTURE.md §3 step 2: a same-origin POST (sets the binding cookie), then navigate to the provider. */
export async function startLink(api: Api, providerId: string): Promise<void> {
  const { authorizeUrl } = await api.post<LinkStart>(`/v1/links/${enc(providerId)}`);
  // Only ever leave for a web URL (defence in depth: never a javascript: or data: URL).
  const url = new URL(authorizeUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The server answered an authorize URL that is not a web address.');
  location.assign(url.href);
}

function providerCard(ctx: PageCtx, p: ProviderSummary, link: LinkSummary | undefined, reload: () => Promise<void>): HTMLElement {
  const info = describeType(p.type);
  const nameId = uid('provider');
  const status = p.linked
    ? h(
        'p',
        { class: 'card__status card__status--linked' },
        h('span', { class: 'dot dot--ok', 'aria-hidden': 'true' }),
        'Linked as ',
        h('strong', { class: 'login' }, p.login ?? '?'),
      )
    : h('p', { class: 'card__status' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), 'Not linked');

  const details: Node[] = [];
  if (p.linked && link) {
    details.push(
      h(
        'p',
        { class: 'card__detail' },
        link.sshKeyRegistered ? 'SSH key registered' : 'SSH key not registered',
        ` · linked ${formatDate(link.linkedAt)}`,
      ),
    );
  }
  if (p.needsRelink) {
    details.push(h('p', { class: 'card__warning' }, `Needs re-linking${p.relinkReason ? `: ${p.relinkReason}` : ''}. Environments cannot use this account until you link it again.`));
  }
  if (!p.gitOverHttps) details.push(h('p', { class: 'card__detail' }, 'Git over SSH only.'));

  const linkBtn = (label: string, primary: boolean) => {
    const btn = h('button', { type: 'button', class: `btn ${primary ? 'btn--primary' : 'btn--secondary'}`, 'aria-label': `${label} ${p.displayName}` }, label);
    btn.addEventListener('click', () =>
      busy(btn, 'Redirecting…', () => startLink(ctx.api, p.id)).catch((e) => showBanner('error', `Could not start linking ${p.displayName}`, errorText(e))),
    );
    return btn;
  };

  const actions: Node[] = [];
  if (!p.linked) actions.push(linkBtn('Link', true));
  else {
    if (p.needsRelink) actions.push(linkBtn('Re-link', true));
    const unlinkBtn = h('button', { type: 'button', class: 'btn btn--secondary', 'aria-label': `Unlink ${p.displayName}` }, 'Unlink');
    unlinkBtn.addEventListener('click', () => unlink(ctx, p, unlinkBtn, reload));
    actions.push(unlinkBtn);
  }

  return h(
    'li',
    { class: `card provider-card${p.linked ? ' is-linked' : ''}`, 'data-provider': p.id },
    h('img', { class: 'card__icon', src: iconFor(p.type), alt: '', width: 40, height: 40 }),
    h(
      'div',
      { class: 'card__main' },
      h('h3', { class: 'card__title', id: nameId }, p.displayName),
      h('p', { class: 'card__meta' }, info.label, ' · ', hostOf(p.baseUrl)),
      status,
      ...details,
    ),
    h('div', { class: 'card__actions' }, ...actions),
  );
}

async function unlink(ctx: PageCtx, p: ProviderSummary, btn: HTMLButtonElement, reload: () => Promise<void>) {
  const ok = await confirmDialog({
    title: `Unlink ${p.displayName}?`,
    body: [
      `gitlink removes your SSH key from ${p.displayName}${p.login ? ` (account ${p.login})` : ''}, revokes its access token, and forgets the link.`,
      'Your environments lose git access to this provider until you link it again.',
    ],
    confirm: 'Unlink',
    danger: true,
  });
  if (!ok) return;
  try {
    const report = await busy(btn, 'Unlinking…', () => ctx.api.del<UnlinkReport>(`/v1/links/${enc(p.id)}`));
    // A step left to the developer (failed, or no revocation API) is a warning, not a success.
    const leftToDo = [report.sshKey, report.token].some((r) => r === 'failed' || r === 'unsupported');
    const list = h(
      'ul',
      { class: 'steps' },
      h('li', null, unlinkStep('sshKey', report.sshKey, report.errors?.sshKey, p)),
      h('li', null, unlinkStep('token', report.token, report.errors?.token, p)),
      h('li', null, 'Link forgotten by gitlink: done.'),
    );
    await reload();
    showBanner(leftToDo ? 'warning' : 'success', `Unlinked ${p.displayName}`, list).focus();
  } catch (e) {
    showBanner('error', `Could not unlink ${p.displayName}`, errorText(e));
  }
}

function accountsSection(ctx: PageCtx, onLoaded: (providers: ProviderSummary[]) => void) {
  const s = section('accounts', 'Linked accounts', 'Link each Git provider account once. Your environments then clone and push without pasted tokens or hand-made SSH keys.');
  const load = async () => {
    try {
      const [{ providers }, { links }] = await Promise.all([
        ctx.api.get<{ providers: ProviderSummary[] }>('/v1/providers'),
        ctx.api.get<{ links: LinkSummary[] }>('/v1/links'),
      ]);
      const byId = new Map(links.map((l) => [l.providerId, l]));
      if (!providers.length) {
        replace(s.body, h('p', { class: 'empty' }, 'No Git providers are configured yet. An admin adds them on the Providers page.'));
      } else {
        replace(s.body, h('ul', { class: 'cards', 'aria-label': 'Git providers' }, ...providers.map((p) => providerCard(ctx, p, byId.get(p.id), load))));
      }
      onLoaded(providers);
    } catch (e) {
      loadFailed(s.body, 'your accounts', e, () => void load());
      onLoaded([]);
    }
  };
  void load();
  return s.el;
}

// ── SSH key ────────────────────────────────────────────────────────────────────

function sshKeySection(ctx: PageCtx) {
  const s = section(
    'ssh-key',
    'SSH key',
    ['gitlink registers this public key with every provider you link. Your environments fetch the private key with ', h('code', null, 'gitlink ssh-key'), '.'],
  );
  const render = (key: SshKey) => {
    const rotate = h('button', { type: 'button', class: 'btn btn--secondary' }, 'Rotate key');
    rotate.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Rotate your SSH key?',
        body: [
          'gitlink creates a new key pair, registers the new public key with every linked provider, and only then removes the old one.',
          h('p', null, 'Running environments keep working; they pick up the new private key the next time they run ', h('code', null, 'gitlink ssh-key'), '.'),
        ],
        confirm: 'Rotate key',
      });
      if (!ok) return;
      try {
        const r = await busy(rotate, 'Rotating…', () => ctx.api.post<RotationReport>('/v1/me/ssh-key/rotate'));
        const b = rotationBanner(r);
        const list = b.lines.length ? h('ul', { class: 'steps' }, ...b.lines.map((l) => h('li', null, l))) : h('p', null, 'No linked providers needed updating.');
        await load();
        showBanner(b.kind, b.title, list).focus();
      } catch (e) {
        showBanner('error', 'Could not rotate your SSH key', errorText(e));
      }
    });
    replace(
      s.body,
      copyField('Public key', key.publicKey, { multiline: true, what: 'public key', testId: 'public-key' }),
      h(
        'dl',
        { class: 'facts' },
        h('div', null, h('dt', null, 'Fingerprint'), h('dd', { class: 'mono', 'data-testid': 'fingerprint' }, key.fingerprint)),
        h('div', null, h('dt', null, 'Type'), h('dd', null, key.type)),
        h('div', null, h('dt', null, 'Created'), h('dd', null, formatDate(key.createdAt))),
      ),
      h('div', { class: 'actions' }, rotate),
    );
  };
  const load = async () => {
    try {
      render(await ctx.api.get<SshKey>('/v1/me/ssh-key'));
    } catch (e) {
      loadFailed(s.body, 'your SSH key', e, () => void load());
    }
  };
  void load();
  return s.el;
}

// ── Environment tokens ─────────────────────────────────────────────────────────

/** An expiry as a `<time>` (machine-readable too); `null` only on a record without one. */
const expiryOf = (iso: string | null) => (iso ? h('time', { datetime: iso }, formatDate(iso)) : 'No expiry');

function tokensSection(ctx: PageCtx) {
  const s = section(
    'tokens',
    'Environment tokens',
    'An environment authenticates to gitlink with a token, to get git credentials and your SSH key. Each token is shown once, when you create it.',
  );
  const nameId = uid('token-name');
  const expiryId = uid('token-expiry');
  const errorId = uid('token-error');
  const name = h('input', { id: nameId, name: 'name', type: 'text', required: true, maxlength: 64, autocomplete: 'off', placeholder: 'e.g. laptop-devbox', 'aria-describedby': errorId });
  // Exactly the lifetimes the server grants (there is no "never": every token expires).
  const expiry = h(
    'select',
    { id: expiryId, name: 'expiresInDays' },
    ...TOKEN_LIFETIME_CHOICES.map((c) => h('option', { value: String(c.days), ...(c.days === DEFAULT_TOKEN_DAYS ? { selected: true } : {}) }, c.label)),
  );
  const error = h('p', { id: errorId, class: 'field__error', hidden: true });
  const create = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Create token');
  const fresh = h('div', { class: 'new-token-slot' });
  const list = h('div', { class: 'token-list' }, h('p', { class: 'muted' }, 'Loading…'));

  const form = h(
    'form',
    { class: 'inline-form', novalidate: true, 'aria-label': 'Create an environment token' },
    h('div', { class: 'field' }, h('label', { for: nameId }, 'Token name'), name),
    h('div', { class: 'field' }, h('label', { for: expiryId }, 'Expires after'), expiry),
    h('div', { class: 'field field--button' }, create),
    error,
  );
  const showError = (msg: string | undefined) => {
    error.hidden = !msg;
    error.textContent = msg ?? '';
    name.toggleAttribute('aria-invalid', !!msg);
    if (msg) name.focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = name.value.trim();
    if (!value) return showError('Give the token a name, so you can tell tokens apart later.');
    showError(undefined);
    try {
      const t = await busy(create, 'Creating…', () => ctx.api.post<NewEnvToken>('/v1/me/tokens', { name: value, expiresInDays: Number(expiry.value) }));
      name.value = '';
      showNewToken(t);
      await loadList();
    } catch (e) {
      if (e instanceof ApiError && e.field) showError(e.message.replace(/^[\w.]+: /, ''));
      else showBanner('error', 'Could not create the token', errorText(e));
    }
  });

  const showNewToken = (t: NewEnvToken) => {
    const panel = h(
      'div',
      { class: 'new-token', role: 'region', 'aria-label': 'Your new token', tabindex: '-1' },
      h('p', { class: 'new-token__title' }, `Token “${t.name}” created`),
      h('p', null, 'Copy it now and give it to your environment (as ', h('code', null, 'GITLINK_TOKEN'), '). You will not be able to see it again.'),
      copyField('Token', t.token, { what: 'token', testId: 'new-token' }),
      h('p', { 'data-testid': 'new-token-expiry' }, 'It expires on ', expiryOf(t.expiresAt), '.'),
      h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: () => { replace(fresh); name.focus(); } }, 'Done, I have copied it'),
    );
    replace(fresh, panel);
    panel.focus();
  };

  const renderList = (tokens: EnvToken[]) => {
    if (!tokens.length) return replace(list, h('p', { class: 'empty' }, 'No tokens yet.'));
    replace(
      list,
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'visually-hidden' }, 'Your environment tokens'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Last used'), h('th', { scope: 'col' }, 'Expires'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h(
          'tbody',
          null,
          ...tokens.map((t) => {
            const revoke = h('button', { type: 'button', class: 'btn btn--secondary btn--small', 'aria-label': `Revoke token ${t.name}` }, 'Revoke');
            revoke.addEventListener('click', async () => {
              const ok = await confirmDialog({
                title: `Revoke token “${t.name}”?`,
                body: ['Environments using this token can no longer get git credentials or your SSH key.'],
                confirm: 'Revoke',
                danger: true,
              });
              if (!ok) return;
              try {
                await busy(revoke, 'Revoking…', () => ctx.api.del(`/v1/me/tokens/${enc(t.id)}`));
                await loadList();
                showBanner('success', `Token “${t.name}” revoked`);
                name.focus();
              } catch (e) {
                showBanner('error', `Could not revoke “${t.name}”`, errorText(e));
              }
            });
            return h(
              'tr',
              { 'data-token': t.id },
              h('th', { scope: 'row' }, t.name),
              h('td', null, formatDate(t.createdAt)),
              h('td', null, t.lastUsedAt ? formatDate(t.lastUsedAt) : 'Never'),
              h('td', null, expiryOf(t.expiresAt)),
              h('td', { class: 'table__actions' }, revoke),
            );
          }),
        ),
      ),
    );
  };
  const loadList = async () => {
    try {
      renderList((await ctx.api.get<{ tokens: EnvToken[] }>('/v1/me/tokens')).tokens);
    } catch (e) {
      loadFailed(list, 'your tokens', e, () => void loadList());
    }
  };
  replace(s.body, form, fresh, list);
  void loadList();
  return s.el;
}

// ── Page ───────────────────────────────────────────────────────────────────────

export interface DeveloperIntent {
  notice?: { linked?: string; warning?: string; error?: string; provider?: string };
  link?: string;
}

export function renderDeveloper(root: HTMLElement, ctx: PageCtx, intent: DeveloperIntent = {}): void {
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', { id: 'page-title', tabindex: '-1' }, 'Your accounts'), h('p', { class: 'muted' }, 'Connect Git providers to your development environments.')),
    accountsSection(ctx, (providers) => void afterProviders(ctx, providers, intent)),
    sshKeySection(ctx),
    tokensSection(ctx),
  );
}

/** Banners for `?linked=` / `?error=`, and the deep link's link start, once the provider names are known. */
async function afterProviders(ctx: PageCtx, providers: ProviderSummary[], intent: DeveloperIntent) {
  const nameOf = (id: string | undefined) => providers.find((p) => p.id === id)?.displayName ?? id;
  const n = intent.notice;
  if (n?.linked) {
    const p = providers.find((x) => x.id === n.linked);
    const name = nameOf(n.linked) ?? n.linked;
    const lines: string[] = [p?.login ? `${name} is linked as ${p.login}. Your environments can use it now.` : `${name} is linked.`];
    if (n.warning) lines.push(linkWarning(n.warning, name) ?? `Warning: ${n.warning}.`);
    showBanner(n.warning ? 'warning' : 'success', `Linked ${name}`, ...lines).focus();
  } else if (n?.error) {
    showBanner('error', n.provider ? `Linking ${nameOf(n.provider)} failed` : 'Linking failed', linkErrorMessage(n.error, nameOf(n.provider))).focus();
  }
  delete intent.notice;

  if (intent.link) {
    const id = intent.link;
    delete intent.link;
    const p = providers.find((x) => x.id === id);
    if (!p) {
      showBanner('error', 'Unknown provider', `No provider “${id}” is configured in gitlink. Ask an admin, or pick one below.`).focus();
    } else if (p.linked && !p.needsRelink) {
      showBanner('info', `${p.displayName} is already linked`, `You are linked as ${p.login ?? '?'}; your environment can fetch credentials now.`).focus();
    } else {
      showBanner('info', `Taking you to ${p.displayName}…`, 'Approve gitlink there to finish linking.');
      try {
        await startLink(ctx.api, p.id);
      } catch (e) {
        showBanner('error', `Could not start linking ${p.displayName}`, errorText(e)).focus();
      }
    }
  }
}
