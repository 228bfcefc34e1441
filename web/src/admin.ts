/**
 * The admin page: Git providers. List, add, edit, delete (with confirmation);
 * the fields follow the type; the client secret is write-only ("set"/"not set");
 * each provider shows the Homepage and Callback URLs to register with it and,
 * for Bitbucket Server, the consumer and the RSA public key for the Application Link.
 */
import { ApiError, enc, type AdminProvider, type Api, type ProviderDeleted } from './api';
import { formatDate, h, replace, uid } from './dom';
import { defaultPkce, describeType, providerCatalog, providerTypes, usesSigningKey, type AdminField, type ProviderTypeInfo } from '@shared/contract/provider-types';
import { iconFor } from './icons';
import { busy, confirmDialog, copyField, showBanner } from './ui';

export interface AdminCtx {
  api: Api;
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Try again.');

export function renderAdmin(root: HTMLElement, ctx: AdminCtx, initial?: AdminProvider[]): void {
  const addBtn = h('button', { type: 'button', class: 'btn btn--primary', 'aria-expanded': 'false', 'aria-controls': 'provider-form-slot' }, 'Add provider');
  const formSlot = h('div', { id: 'provider-form-slot' });
  const list = h('div', { class: 'admin-list' }, h('p', { class: 'muted' }, 'Loading…'));

  let providers: AdminProvider[] = initial ?? [];

  const closeForm = (focus?: HTMLElement | null) => {
    replace(formSlot);
    addBtn.setAttribute('aria-expanded', 'false');
    (focus ?? addBtn).focus();
  };

  const openForm = (existing?: AdminProvider) => {
    const form = providerForm(ctx, existing, {
      onSaved: async (saved, created) => {
        await load();
        closeForm(document.getElementById(`provider-${saved.id}-title`));
        showBanner(
          'success',
          created ? `Added ${saved.displayName}` : `Saved ${saved.displayName}`,
          created ? `Now register gitlink with ${saved.displayName}: use the Homepage and Callback URLs shown on its card.` : '',
        );
        document.getElementById(`provider-${saved.id}`)?.scrollIntoView({ block: 'start' });
      },
      onCancel: () => closeForm(existing ? document.getElementById(`provider-${existing.id}-edit`) : addBtn),
    });
    replace(formSlot, form);
    addBtn.setAttribute('aria-expanded', existing ? 'false' : 'true');
    form.scrollIntoView({ block: 'start' });
    form.querySelector<HTMLElement>('select, input')?.focus();
  };
  addBtn.addEventListener('click', () => openForm());

  const render = () => {
    if (!providers.length) {
      replace(list, h('p', { class: 'empty' }, 'No providers yet. Add one to let developers link their accounts.'));
      return;
    }
    replace(list, ...providers.map((p) => providerCard(ctx, p, { edit: () => openForm(p), reload: load })));
  };
  const load = async () => {
    try {
      providers = (await ctx.api.get<{ providers: AdminProvider[] }>('/v1/admin/providers')).providers;
      render();
    } catch (e) {
      replace(list, h('div', { class: 'inline-error', role: 'alert' }, h('p', null, `Could not load the providers: ${errorText(e)}`)));
    }
  };

  replace(
    root,
    h(
      'div',
      { class: 'page-head page-head--split' },
      h('div', null, h('h1', { id: 'page-title', tabindex: '-1' }, 'Git providers'), h('p', { class: 'muted' }, 'The Git hosting services developers can link. Register gitlink with each one using the URLs on its card.')),
      addBtn,
    ),
    formSlot,
    list,
  );
  if (initial) render();
  else void load();
}

// ── Provider card ──────────────────────────────────────────────────────────────

function fact(term: string, ...value: Array<Node | string>) {
  return h('div', null, h('dt', null, term), h('dd', null, ...value));
}

function providerCard(ctx: AdminCtx, p: AdminProvider, on: { edit: () => void; reload: () => Promise<void> }): HTMLElement {
  const info = describeType(p.type);
  const titleId = `provider-${p.id}-title`;
  const facts: HTMLElement[] = [fact('Base URL', h('span', { class: 'mono' }, p.baseUrl))];
  if (p.apiUrl) facts.push(fact('API URL', h('span', { class: 'mono' }, p.apiUrl)));
  for (const f of info.fields) {
    const value = factValue(f, p);
    if (value) facts.push(fact(f.name === 'pkce' ? 'PKCE' : f.label, value));
  }
  facts.push(fact('Updated', formatDate(p.updatedAt)));

  const editBtn = h('button', { type: 'button', class: 'btn btn--secondary btn--small', id: `provider-${p.id}-edit`, 'aria-label': `Edit ${p.displayName}`, onclick: on.edit }, 'Edit');
  const deleteBtn = h('button', { type: 'button', class: 'btn btn--danger-outline btn--small', 'aria-label': `Delete ${p.displayName}` }, 'Delete');
  deleteBtn.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: `Delete ${p.displayName}?`,
      body: [
        `gitlink forgets this provider, its client secret and every developer's link to it. Environments lose git access to ${p.displayName} at once.`,
        'Keys and tokens already at the provider stay there until you revoke the OAuth application.',
      ],
      confirm: 'Delete provider',
      danger: true,
    });
    if (!ok) return;
    try {
      const r = await busy(deleteBtn, 'Deleting…', () => ctx.api.del<ProviderDeleted>(`/v1/admin/providers/${enc(p.id)}`));
      await on.reload();
      showBanner('success', `Deleted ${p.displayName}`, `${r.links} developer link${r.links === 1 ? '' : 's'} removed.`).focus();
    } catch (e) {
      showBanner('error', `Could not delete ${p.displayName}`, errorText(e));
    }
  });

  const setup = h(
    'div',
    { class: 'setup' },
    h('h3', null, `Register gitlink with ${p.displayName}`),
    h('p', { class: 'setup__hint' }, p.setupHint),
    h(
      'div',
      { class: 'setup__urls' },
      copyField('Homepage URL', p.homepageUrl, { what: `homepage URL for ${p.displayName}`, testId: 'homepage-url' }),
      copyField('Callback URL', p.callbackUrl, { what: `callback URL for ${p.displayName}`, testId: 'callback-url' }),
    ),
  );

  return h(
    'article',
    { class: 'card admin-card', id: `provider-${p.id}`, 'aria-labelledby': titleId },
    h(
      'header',
      { class: 'admin-card__head' },
      h('img', { class: 'card__icon', src: iconFor(p.type), alt: '', width: 40, height: 40 }),
      h('div', { class: 'admin-card__title' }, h('h2', { id: titleId, tabindex: '-1' }, p.displayName), h('p', { class: 'card__meta' }, info.label, ' · id ', h('code', null, p.id))),
      h('div', { class: 'card__actions' }, editBtn, deleteBtn),
    ),
    h('dl', { class: 'facts facts--grid' }, ...facts),
    setup,
    usesSigningKey(p.type) ? signingKeyBlock(ctx, p, on.reload) : null,
  );
}

/** A card's fact for one of the type's fields (the consumer fields are in the signing-key block). */
function factValue(f: AdminField, p: AdminProvider): Node | string | undefined {
  switch (f.name) {
    case 'clientId':
      return h('span', { class: 'mono' }, p.clientId || '—');
    case 'clientSecret':
      return p.clientSecretSet ? h('span', { class: 'badge badge--ok' }, 'set') : h('span', { class: 'badge badge--warn' }, 'not set');
    case 'scopes':
      return p.scopes.length ? h('span', { class: 'mono' }, p.scopes.join(' ')) : 'default';
    case 'pkce':
      return p.pkce ? 'on' : 'off';
    default:
      return undefined;
  }
}

/** Signing-key types (Bitbucket Server): what goes into the Application Link's "Incoming Authentication" form. */
function signingKeyBlock(ctx: AdminCtx, p: AdminProvider, reload: () => Promise<void>): HTMLElement {
  const rotate = h('button', { type: 'button', class: 'btn btn--secondary btn--small' }, p.pendingPublicKeyPem ? 'Make another new key' : 'Rotate signing key');
  rotate.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: `Rotate the signing key of ${p.displayName}?`,
      body: [
        'gitlink makes a new RSA key pair. Paste its public key into the Application Link: until then the current key keeps signing, and once Bitbucket holds the new key gitlink uses it, so no link breaks. Confirm here to retire the old key.',
      ],
      confirm: 'Make new key',
    });
    if (!ok) return;
    try {
      await busy(rotate, 'Rotating…', () => ctx.api.post(`/v1/admin/providers/${enc(p.id)}/rotate-signing-key`));
      await reload();
      showBanner('info', `New signing key for ${p.displayName}`, 'Paste the new public key into the Application Link, then press “Confirm new key”.');
    } catch (e) {
      showBanner('error', 'Could not rotate the signing key', errorText(e));
    }
  });
  const pending: Node[] = [];
  if (p.pendingPublicKeyPem) {
    const confirm = h('button', { type: 'button', class: 'btn btn--primary btn--small' }, 'Confirm new key');
    confirm.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Switch to the new signing key?',
        body: ['Only confirm once the new public key is saved in the Application Link: from now on gitlink signs only with it, and the old key is deleted.'],
        confirm: 'Confirm new key',
      });
      if (!ok) return;
      try {
        await busy(confirm, 'Confirming…', () => ctx.api.post(`/v1/admin/providers/${enc(p.id)}/confirm-signing-key`));
        await reload();
        showBanner('success', `${p.displayName} now signs with the new key`);
      } catch (e) {
        showBanner('error', 'Could not confirm the new key', errorText(e));
      }
    });
    pending.push(
      h('div', { class: 'pending-key' }, h('p', { class: 'card__warning' }, 'A new key is waiting: paste it into the Application Link, then confirm.'), copyField('New public key (PEM)', p.pendingPublicKeyPem, { multiline: true, what: 'new public key' }), confirm),
    );
  }
  return h(
    'div',
    { class: 'setup' },
    h('h3', null, 'Incoming Authentication'),
    h(
      'div',
      { class: 'setup__urls' },
      copyField('Consumer key', p.consumerKey ?? '', { what: 'consumer key' }),
      copyField('Consumer name', p.consumerName ?? '', { what: 'consumer name' }),
    ),
    // During a rotation `publicKeyPem` is the new key (shown in the pending block); show the one still signing here.
    p.pendingPublicKeyPem
      ? copyField('Current public key (PEM), still signing', p.previousPublicKeyPem ?? '', { multiline: true, what: 'current public key' })
      : copyField('Public key (PEM)', p.publicKeyPem ?? '', { multiline: true, what: 'public key' }),
    ...pending,
    h('div', { class: 'actions' }, rotate),
  );
}

// ── Add / edit form ────────────────────────────────────────────────────────────

interface FieldSpec {
  name: string;
  label: string;
  kind?: 'text' | 'url' | 'password' | 'checkbox' | 'select';
  hint?: string;
  required?: boolean;
  value?: string;
  checked?: boolean;
  options?: Array<[string, string]>;
  placeholder?: string;
  autocomplete?: string;
}

function fieldEl(spec: FieldSpec): HTMLElement {
  const id = `pf-${spec.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [spec.hint ? hintId : '', errorId].filter(Boolean).join(' ');
  const common = { id, name: spec.name, 'aria-describedby': describedBy };
  let control: HTMLElement;
  if (spec.kind === 'select') {
    control = h('select', common, ...(spec.options ?? []).map(([v, l]) => h('option', { value: v, ...(v === spec.value ? { selected: true } : {}) }, l)));
  } else if (spec.kind === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', ...(spec.checked ? { checked: true } : {}) });
  } else {
    control = h('input', {
      ...common,
      type: spec.kind ?? 'text',
      value: spec.value ?? '',
      ...(spec.required ? { required: true, 'aria-required': 'true' } : {}),
      ...(spec.placeholder ? { placeholder: spec.placeholder } : {}),
      autocomplete: spec.autocomplete ?? 'off',
      spellcheck: 'false',
    });
  }
  // Required fields are marked by `required` (announced) and the optional ones say so in their label.
  const label = h('label', { for: id }, spec.label);
  const hint = spec.hint ? h('p', { id: hintId, class: 'field__hint' }, spec.hint) : null;
  const error = h('p', { id: errorId, class: 'field__error', hidden: true });
  return spec.kind === 'checkbox'
    ? h('div', { class: 'field field--check', 'data-field': spec.name }, control, label, hint, error)
    : h('div', { class: 'field', 'data-field': spec.name }, label, control, hint, error);
}

const MOVE_WARNING =
  'Changing the host needs the client secret registered at the new host (in the same save), and every developer must link again: their tokens are deleted, never sent to the new host.';

/** The origins a form's URLs make gitlink call (the server's rule: a new one is a move). */
function origins(urls: string[]): string[] {
  return urls.filter(Boolean).flatMap((u) => {
    try {
      return [new URL(u).origin];
    } catch {
      return [];
    }
  });
}

function fieldsFor(info: ProviderTypeInfo, values: Record<string, string | boolean>, existing: AdminProvider | undefined): FieldSpec[] {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const specs: FieldSpec[] = [];
  if (!existing) {
    specs.push({ name: 'id', label: 'ID', required: true, value: str('id'), hint: 'Lower-case letters, digits and -, e.g. github-com. It appears in URLs and cannot be changed.', placeholder: 'github-com' });
  }
  specs.push({ name: 'displayName', label: 'Display name', required: true, value: str('displayName'), hint: 'What developers see, e.g. “GitHub” or “Company GitLab”.' });
  // The server refuses a move to another host without a new client secret, and retires every link (provider-move.ts).
  const moveHint = existing ? ` ${MOVE_WARNING}` : '';
  specs.push({ name: 'baseUrl', label: 'Base URL', kind: 'url', required: true, value: str('baseUrl'), hint: `${info.hints.baseUrl}${moveHint}`, placeholder: info.defaultBaseUrl ?? 'https://git.example.com' });
  for (const f of info.fields) {
    const spec = fieldSpec(f, info, values, existing);
    specs.push(f.name === 'apiUrl' ? { ...spec, hint: `${spec.hint ?? ''}${moveHint}`.trim() } : spec);
  }
  return specs;
}

/** How a catalog field is asked for. */
function fieldSpec(f: AdminField, info: ProviderTypeInfo, values: Record<string, string | boolean>, existing: AdminProvider | undefined): FieldSpec {
  const base = { name: f.name, label: f.label, value: typeof values[f.name] === 'string' ? (values[f.name] as string) : '', ...(f.hint ? { hint: f.hint } : {}), ...(f.placeholder ? { placeholder: f.placeholder } : {}) };
  switch (f.name) {
    case 'apiUrl':
      return { ...base, kind: 'url' };
    case 'clientId':
      return { ...base, required: true };
    case 'clientSecret':
      return {
        ...base,
        label: `${f.label} (write-only)`,
        kind: 'password',
        // The API refuses a new provider without one (no link could complete).
        required: !existing,
        value: '',
        autocomplete: 'new-password',
        hint: existing
          ? `Currently ${existing.clientSecretSet ? 'set' : 'not set'}. Leave empty to keep it; gitlink never shows it again.`
          : 'Stored encrypted in Secrets Manager; gitlink never shows it again.',
      };
    case 'scopes':
      return { ...base, hint: `Space-separated. Empty means the default: ${info.defaultScopes.join(' ')}.`, placeholder: info.defaultScopes.join(' ') };
    case 'pkce':
      return { ...base, kind: 'checkbox', checked: values.pkce === true };
    default:
      return base;
  }
}

/** A field's value in the request body; `undefined` leaves it out (the server keeps or defaults it). */
function bodyValue(f: AdminField, value: string | boolean | undefined, existing: AdminProvider | undefined): unknown {
  const s = String(value ?? '').trim();
  switch (f.name) {
    case 'pkce':
      return value === true;
    case 'clientId':
      return s;
    case 'scopes':
      return s ? s.split(/\s+/) : undefined;
    case 'apiUrl':
      // Emptied on an edit: remove the override.
      return s || (existing?.apiUrl ? null : undefined);
    default:
      return s || undefined;
  }
}

function providerForm(
  ctx: AdminCtx,
  existing: AdminProvider | undefined,
  on: { onSaved: (p: AdminProvider, created: boolean) => Promise<void>; onCancel: () => void },
): HTMLElement {
  const titleId = uid('form-title');
  let type: string = existing?.type ?? providerTypes[0];
  const values: Record<string, string | boolean> = existing
    ? {
        displayName: existing.displayName,
        baseUrl: existing.baseUrl,
        apiUrl: existing.apiUrl ?? '',
        clientId: existing.clientId,
        scopes: existing.scopes.join(' '),
        pkce: existing.pkce,
        consumerKey: existing.consumerKey ?? '',
        consumerName: existing.consumerName ?? '',
      }
    : { baseUrl: describeType(type).defaultBaseUrl ?? '', pkce: defaultPkce(type, describeType(type).defaultBaseUrl ?? '') };
  // On a new provider the PKCE box follows the type's default for the base URL until the admin touches it.
  let pkceTouched = !!existing;

  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const fields = h('div', { class: 'form-grid' });
  const save = h('button', { type: 'submit', class: 'btn btn--primary' }, existing ? 'Save changes' : 'Add provider');
  const cancel = h('button', { type: 'button', class: 'btn btn--secondary', onclick: () => on.onCancel() }, 'Cancel');

  const typeField = existing
    ? h('p', { class: 'form-type' }, 'Type: ', h('strong', null, describeType(type).label), ' (cannot be changed)')
    : fieldEl({ name: 'type', label: 'Type', kind: 'select', value: type, options: providerTypes.map((t) => [t, providerCatalog[t].choice]) });

  const collect = () => {
    for (const el of Array.from(fields.querySelectorAll<HTMLInputElement>('input'))) values[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  };
  const renderFields = () => replace(fields, ...fieldsFor(describeType(type), values, existing).map(fieldEl));
  renderFields();
  fields.addEventListener('change', (ev) => {
    if ((ev.target as HTMLInputElement).name === 'pkce') pkceTouched = true;
  });
  fields.addEventListener('input', (ev) => {
    const el = ev.target as HTMLInputElement;
    const box = fields.querySelector<HTMLInputElement>('input[name="pkce"]');
    if (el.name === 'baseUrl' && box && !pkceTouched) box.checked = defaultPkce(type, el.value.trim());
  });

  typeField.querySelector('select')?.addEventListener('change', (ev) => {
    collect();
    const prev = describeType(type);
    type = (ev.target as HTMLSelectElement).value;
    // The base URL follows the type unless the admin typed their own.
    if (!values.baseUrl || values.baseUrl === prev.defaultBaseUrl) values.baseUrl = describeType(type).defaultBaseUrl ?? '';
    if (!pkceTouched) values.pkce = defaultPkce(type, String(values.baseUrl));
    renderFields();
  });

  const form = h(
    'form',
    { class: 'card provider-form', novalidate: true, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, existing ? `Edit ${existing.displayName}` : 'Add a provider'),
    summary,
    typeField,
    fields,
    h('div', { class: 'actions' }, save, cancel),
  );

  const clearErrors = () => {
    summary.hidden = true;
    for (const e of Array.from(form.querySelectorAll<HTMLElement>('.field__error'))) {
      e.hidden = true;
      e.textContent = '';
    }
    for (const i of Array.from(form.querySelectorAll('[aria-invalid]'))) i.removeAttribute('aria-invalid');
  };
  const fieldError = (name: string, message: string): boolean => {
    const wrap = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(name.split('.')[0]!)}"]`);
    const err = wrap?.querySelector<HTMLElement>('.field__error');
    const control = wrap?.querySelector<HTMLElement>('input, select');
    if (!wrap || !err || !control) return false;
    err.textContent = message;
    err.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    return true;
  };
  const focusFirstInvalid = () => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    collect();
    const info = describeType(type);
    let missing = false;
    for (const spec of fieldsFor(info, values, existing)) {
      if (spec.required && !String(values[spec.name] ?? '').trim()) missing = fieldError(spec.name, 'Required.') || missing;
    }
    if (missing) return focusFirstInvalid();

    const s = (k: string) => String(values[k] ?? '').trim();
    const body: Record<string, unknown> = { displayName: s('displayName'), baseUrl: s('baseUrl') };
    if (!existing) Object.assign(body, { id: s('id'), type });
    for (const f of info.fields) {
      const v = bodyValue(f, values[f.name], existing);
      if (v !== undefined) body[f.name] = v;
    }
    if (existing) {
      const before = origins([existing.baseUrl, existing.apiUrl ?? '']);
      const after = origins([String(body.baseUrl), typeof body.apiUrl === 'string' ? body.apiUrl : '']);
      if (after.some((o) => !before.includes(o))) {
        const ok = await confirmDialog({
          title: `Move ${existing.displayName} to another host?`,
          body: [MOVE_WARNING, 'Keys and authorizations at the old host stay there: gitlink does not call it again.'],
          confirm: 'Move provider',
          danger: true,
        });
        if (!ok) return;
      }
    }
    try {
      const saved = await busy(save, 'Saving…', () =>
        existing ? ctx.api.put<AdminProvider>(`/v1/admin/providers/${enc(existing.id)}`, body) : ctx.api.post<AdminProvider>('/v1/admin/providers', body),
      );
      await on.onSaved(saved, !existing);
    } catch (e) {
      // 400 invalid_request names the field ("baseUrl: must use https"): show it beside the field.
      if (e instanceof ApiError && e.field && fieldError(e.field, sentence(e.message.replace(/^[\w.]+: /, '')))) return focusFirstInvalid();
      if (e instanceof ApiError && e.code === 'provider_exists' && fieldError('id', e.message)) return focusFirstInvalid();
      summary.textContent = errorText(e);
      summary.hidden = false;
      summary.setAttribute('tabindex', '-1');
      summary.focus();
    }
  });
  return form;
}

const sentence = (s: string) => {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
};
