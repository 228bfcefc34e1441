/**
 * The admin's operations pages:
 * - Developers (`#/admin/developers`): search one developer by user id, see their links and
 *   environment tokens, remove everything they hold after a confirmation, and read the
 *   per-provider report of what must be finished by hand;
 * - Audit (`#/admin/audit`): lifecycle events, newest first, filtered by developer,
 *   provider and date, one page at a time (docs/events.md).
 */
import { ApiError, enc, type Api } from './api';
import type { AdminUser, AuditPage, OffboardReport } from '@shared/contract/api';
import { formatDate, h, replace } from './dom';
import { busy, confirmDialog, showBanner } from './ui';

export interface OpsCtx {
  api: Api;
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Try again.');

function textField(id: string, label: string, opts: { type?: string; hint?: string; value?: string } = {}) {
  const input = h('input', { id, name: id, type: opts.type ?? 'text', autocomplete: 'off', spellcheck: 'false', value: opts.value ?? '', ...(opts.hint ? { 'aria-describedby': `${id}-hint` } : {}) });
  const field = h('div', { class: 'field' }, h('label', { for: id }, label), input, opts.hint ? h('p', { id: `${id}-hint`, class: 'field__hint' }, opts.hint) : null);
  return { field, input };
}

function table(caption: string, head: string[], rows: Array<Array<string | Node>>, empty: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    { class: 'table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, ...rows.map((r) => h('tr', null, ...r.map((c) => h('td', null, c))))),
  );
}

function pageHead(title: string, intro: string) {
  return h('div', { class: 'page-head' }, h('h1', { id: 'page-title', tabindex: '-1' }, title), h('p', { class: 'muted' }, intro));
}

// ── Developers ─────────────────────────────────────────────────────────────────

export function renderDevelopers(root: HTMLElement, ctx: OpsCtx): void {
  const { field, input } = textField('dev-user', 'User id', { hint: 'The developer’s sign-in subject (the JWT’s sub), e.g. alice.' });
  const search = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Search');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'section', role: 'search', 'aria-label': 'Find a developer' }, h('div', { class: 'form-row' }, field, h('div', { class: 'field field--button' }, search)));

  const show = async (userId: string) => {
    try {
      const user = await ctx.api.get<AdminUser>(`/v1/admin/users/${enc(userId)}`);
      replace(result, developerView(ctx, user, () => show(userId)));
    } catch (e) {
      replace(result, h('div', { class: 'inline-error', role: 'alert' }, h('p', null, `Could not load ${userId}: ${errorText(e)}`)));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const userId = input.value.trim();
    if (!userId) return input.focus();
    void busy(search, 'Searching…', () => show(userId));
  });

  replace(root, pageHead('Developers', 'What one developer holds, and removing all of it when they leave.'), form, result);
}

function developerView(ctx: OpsCtx, user: AdminUser, reload: () => Promise<void>): HTMLElement {
  const holds = user.links.length + user.envTokens.length + (user.sshKey ? 1 : 0);
  const remove = h('button', { type: 'button', class: 'btn btn--danger', 'data-testid': 'offboard', ...(holds ? {} : { disabled: true }) }, 'Remove developer…');
  const report = h('div', { 'data-testid': 'offboard-report' });
  remove.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: `Remove everything ${user.userId} holds?`,
      body: [
        `Their ${user.envTokens.length} environment token(s) stop working at once, their ${user.links.length} link(s) are removed at every provider (SSH key deleted, token revoked where the provider can), and their SSH key pair is deleted.`,
        'This cannot be undone. They can sign in and link again later.',
      ],
      confirm: 'Remove developer',
      danger: true,
    });
    if (!ok) return;
    try {
      const out = await busy(remove, 'Removing…', () => ctx.api.del<OffboardReport>(`/v1/admin/users/${enc(user.userId)}`));
      await reload();
      const area = document.querySelector('[data-testid="offboard-report"]') ?? report;
      replace(area, reportView(out));
      showBanner(out.complete ? 'success' : 'warning', out.complete ? `Removed ${user.userId}` : `Removed ${user.userId} from gitlink; some steps are left at providers`, out.complete ? 'Nothing is left to do at any provider.' : 'See the report below for what to finish by hand.');
    } catch (e) {
      showBanner('error', `Could not remove ${user.userId}`, errorText(e));
    }
  });

  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'dev-title' },
    h('div', { class: 'section__head page-head--split' }, h('h2', { id: 'dev-title' }, user.userId), remove),
    holds ? null : h('p', { class: 'empty' }, `${user.userId} holds nothing in gitlink.`),
    h('h3', null, 'Links'),
    table(
      'Links',
      ['Provider', 'Account', 'Scopes', 'SSH key', 'Last refresh', 'State'],
      user.links.map((l) => [l.providerId, l.login, l.scopes.join(' ') || '—', l.sshKeyRegistered ? 'registered' : 'not registered', formatDate(l.lastRefreshAt), l.needsRelink ? `needs relinking (${l.relinkReason ?? 'refused'})` : 'working']),
      'No links.',
    ),
    h('h3', null, 'Environment tokens'),
    table(
      'Environment tokens',
      ['Name', 'Created', 'Last used', 'Expires'],
      user.envTokens.map((t) => [t.name, formatDate(t.createdAt), t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never', formatDate(t.expiresAt ?? undefined)]),
      'No environment tokens.',
    ),
    h('h3', null, 'SSH key'),
    h('p', null, user.sshKey ? `${user.sshKey.fingerprint} (created ${formatDate(user.sshKey.createdAt)})` : 'None.'),
    report,
  );
}

function reportView(out: OffboardReport): HTMLElement {
  return h(
    'div',
    { class: 'section' },
    h('h3', null, 'Removal report'),
    h('p', null, `${out.envTokensRevoked} environment token(s) revoked; SSH key pair ${out.sshKeyDeleted ? 'deleted' : 'absent'}.`),
    table(
      'What happened at each provider',
      ['Provider', 'Account', 'SSH key', 'Token', 'Link', 'Left to do by hand'],
      out.providers.map((p) => [p.providerId, p.login, p.sshKey, p.token, p.link, p.manual.length ? h('ul', null, ...p.manual.map((m) => h('li', null, m))) : 'nothing']),
      'No links to remove.',
    ),
  );
}

// ── Audit ──────────────────────────────────────────────────────────────────────

export function renderAudit(root: HTMLElement, ctx: OpsCtx): void {
  const user = textField('audit-user', 'Developer (optional)');
  const provider = textField('audit-provider', 'Provider id (optional)');
  const since = textField('audit-since', 'Since (optional)', { type: 'date' });
  const apply = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Show');
  const form = h('form', { class: 'section', 'aria-label': 'Filter the audit' }, h('div', { class: 'form-row' }, user.field, provider.field, since.field, h('div', { class: 'field field--button' }, apply)));
  const body = h('tbody');
  const list = h('div', { 'data-testid': 'audit-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const more = h('button', { type: 'button', class: 'btn btn--secondary', hidden: true }, 'Older events');
  let cursor: string | null = null;
  // A new filter can be sent while the page's first (unfiltered, slower) answer is on its way:
  // only the newest request may draw, or a late answer would show events the filter excludes.
  let latest = 0;

  const query = () => {
    const q = new URLSearchParams();
    if (user.input.value.trim()) q.set('user', user.input.value.trim());
    if (provider.input.value.trim()) q.set('provider', provider.input.value.trim());
    if (since.input.value) q.set('since', since.input.value);
    if (cursor) q.set('cursor', cursor);
    return q.toString();
  };
  const load = async (append: boolean) => {
    const mine = ++latest;
    try {
      const page = await ctx.api.get<AuditPage>(`/v1/admin/audit?${query()}`);
      if (mine !== latest) return;
      if (!append) replace(body);
      for (const e of page.events) {
        const ev = e as AuditPage['events'][number] & { actor?: { kind: string; id?: string }; subjectUserId?: string; providerId?: string; sourceIp?: string };
        body.append(h('tr', null, ...[formatDate(ev.time), ev.type, ev.actor ? `${ev.actor.kind}${ev.actor.id ? ` ${ev.actor.id}` : ''}` : '—', ev.subjectUserId ?? '—', ev.providerId ?? '—', ev.sourceIp ?? '—'].map((c) => h('td', null, c))));
      }
      cursor = page.nextCursor;
      more.hidden = !cursor;
      replace(
        list,
        body.children.length
          ? h('table', { class: 'table' }, h('caption', { class: 'visually-hidden' }, 'Audit events, newest first'), h('thead', null, h('tr', null, ...['Time', 'Event', 'Actor', 'Developer', 'Provider', 'Source IP'].map((c) => h('th', { scope: 'col' }, c)))), body)
          : h('p', { class: 'empty' }, 'No events match.'),
      );
    } catch (e) {
      if (mine !== latest) return;
      replace(list, h('div', { class: 'inline-error', role: 'alert' }, h('p', null, `Could not load the audit: ${errorText(e)}`)));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    cursor = null;
    void busy(apply, 'Loading…', () => load(false));
  });
  more.addEventListener('click', () => void busy(more, 'Loading…', () => load(true)));

  replace(root, pageHead('Audit', 'Every change to links, tokens, providers and keys, newest first, kept 400 days.'), form, list, more);
  void load(false);
}
