/** Shared widgets: banners, the confirmation dialog, copy buttons, busy buttons. */
import { h, replace, uid } from './dom';

export type BannerKind = 'success' | 'error' | 'info' | 'warning';

/** The one banner area at the top of the page. */
export function showBanner(kind: BannerKind, title: string, ...lines: Array<string | Node>): HTMLElement {
  const area = document.getElementById('banners');
  if (!area) throw new Error('no banner area');
  const titleId = uid('banner');
  const banner = h(
    'div',
    // Errors interrupt (alert); everything else is announced politely (status).
    { class: `banner banner--${kind}`, role: kind === 'error' ? 'alert' : 'status', 'aria-labelledby': titleId, tabindex: '-1' },
    h('div', { class: 'banner__body' }, h('p', { class: 'banner__title', id: titleId }, title), ...lines.map((l) => (typeof l === 'string' ? h('p', null, l) : l))),
    h('button', { type: 'button', class: 'btn btn--ghost btn--small banner__close', 'aria-label': 'Dismiss message', onclick: () => banner.remove() }, '×'),
  );
  replace(area, banner);
  return banner;
}

/** A modal confirmation (native <dialog>: focus trap, Esc, inert background). Resolves true on confirm. */
export function confirmDialog(opts: { title: string; body: Array<string | Node>; confirm: string; danger?: boolean }): Promise<boolean> {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  return new Promise((resolve) => {
    const cancelBtn = h('button', { type: 'button', class: 'btn btn--secondary', onclick: () => dialog.close('cancel') }, 'Cancel');
    const confirmBtn = h(
      'button',
      { type: 'button', class: `btn ${opts.danger ? 'btn--danger' : 'btn--primary'}`, onclick: () => dialog.close('confirm') },
      opts.confirm,
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('h2', { id: titleId, class: 'dialog__title' }, opts.title),
      h('div', { id: bodyId, class: 'dialog__body' }, ...opts.body.map((b) => (typeof b === 'string' ? h('p', null, b) : b))),
      h('div', { class: 'dialog__actions' }, cancelBtn, confirmBtn),
    );
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'confirm';
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: Enter alone never deletes anything.
    cancelBtn.focus();
  });
}

/** A "Copy" button for `text()`; says "Copied" for a moment, and announces it. */
export function copyButton(text: () => string, what: string): HTMLButtonElement {
  // The accessible name is the visible word plus what is copied ("Copy token", then "Copied token"),
  // so speech users can say what they see (WCAG 2.5.3).
  const label = h('span', null, 'Copy');
  const btn = h('button', { type: 'button', class: 'btn btn--secondary btn--small copy' }, label, h('span', { class: 'visually-hidden' }, ` ${what}`));
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      label.textContent = 'Copied';
      announce(`${what[0]!.toUpperCase()}${what.slice(1)} copied to the clipboard.`);
    } catch {
      label.textContent = 'Copy failed';
      announce('Copying failed: select the text and copy it by hand.');
    }
    setTimeout(() => (label.textContent = 'Copy'), 2000);
  });
  return btn;
}

/** A polite live region for short confirmations. */
export function announce(message: string): void {
  let region = document.getElementById('announcer');
  if (!region) {
    region = h('div', { id: 'announcer', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  region.textContent = '';
  setTimeout(() => (region!.textContent = message), 50);
}

/** Runs `work` with the button disabled and showing `busyLabel`. */
export async function busy<T>(btn: HTMLButtonElement, busyLabel: string, work: () => Promise<T>): Promise<T> {
  const before = btn.textContent;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  btn.textContent = busyLabel;
  try {
    return await work();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.textContent = before;
  }
}

/** A read-only value with a copy button: `<label> [value] [Copy]`. */
export function copyField(label: string, value: string, opts: { multiline?: boolean; what?: string; testId?: string } = {}): HTMLElement {
  const id = uid('copy');
  const field = opts.multiline
    ? h('textarea', { id, class: 'mono copy-field__value', readonly: true, rows: Math.min(12, value.trimEnd().split('\n').length), spellcheck: 'false', ...(opts.testId ? { 'data-testid': opts.testId } : {}) })
    : h('input', { id, type: 'text', class: 'mono copy-field__value', readonly: true, value, spellcheck: 'false', ...(opts.testId ? { 'data-testid': opts.testId } : {}) });
  if (field instanceof HTMLTextAreaElement) field.value = value;
  return h(
    'div',
    { class: `copy-field${opts.multiline ? ' copy-field--multi' : ''}` },
    h('label', { for: id, class: 'copy-field__label' }, label),
    h('div', { class: 'copy-field__row' }, field, copyButton(() => value, opts.what ?? label.toLowerCase())),
  );
}
