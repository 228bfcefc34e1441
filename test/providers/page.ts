// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/** HTML for the fakes: the sandbox approve page, error pages, and pending page-mode requests. */
import { randomBytes } from 'node:crypto';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The sandbox approve page: keyboard-usable (native form controls, Enter in the
 * username field approves), every control labelled, no script.
 */
export function approvePage(p: {
  provider: string;
  appName: string;
  action: string;
  hidden: Record<string, string>;
  defaultUser: string;
  scopes: string[];
}): string {
  const hidden = Object.entries(p.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n      ');
  const scopes = p.scopes.length
    ? `<ul aria-label="Requested scopes">${p.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`
    : '<p>No scopes requested.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Authorize ${escapeHtml(p.appName)} – fake ${escapeHtml(p.provider)}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
  button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}</style>
</head>
<body>
  <main>
    <h1>Authorize ${escapeHtml(p.appName)}</h1>
    <p>Fake ${escapeHtml(p.provider)} (test sandbox). The application asks for:</p>
    ${scopes}
    <form method="post" action="${escapeHtml(p.action)}">
      ${hidden}
      <p>
        <label for="username">Sign in as (username)</label><br>
        <input type="text" id="username" name="username" value="${escapeHtml(p.defaultUser)}" autocomplete="username" required autofocus>
      </p>
      <p>
        <button type="submit" id="approve" name="decision" value="approve">Approve</button>
        <button type="submit" id="deny" name="decision" value="deny">Deny</button>
      </p>
    </form>
  </main>
</body>
</html>`;
}

export function errorPage(title: string, message: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>`;
}

/** Pending page-mode authorization requests, keyed by an opaque id carried in a hidden field. */
export class PendingRequests<T> {
  private readonly items = new Map<string, { value: T; expiresAt: number }>();
  add(value: T): string {
    const id = randomBytes(16).toString('hex');
    this.items.set(id, { value, expiresAt: Date.now() + 10 * 60_000 });
    return id;
  }
  take(id: string | undefined): T | null {
    if (!id) return null;
    const item = this.items.get(id);
    this.items.delete(id);
    return item && item.expiresAt > Date.now() ? item.value : null;
  }
}
