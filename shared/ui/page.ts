/**
 * index.html as served: the OIDC settings injected as
 * `<meta name="gitlink-config" content="…">` (HTML-escaped JSON, never a secret),
 * and a strict Content-Security-Policy: no inline script, everything from this
 * origin, plus the identity provider the browser talks to while signing in.
 */
export interface UiPageConfig {
  issuer?: string;
  clientId?: string;
  /** Origins besides the issuer's that sign-in calls (Cognito's hosted UI domain: token endpoint). */
  extraOrigins?: string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

const originOf = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
};

/** What the browser gets: public settings only (an issuer URL and a public client id). */
export function browserConfig(c: UiPageConfig): Record<string, string> {
  return {
    ...(c.issuer ? { issuer: c.issuer } : {}),
    ...(c.clientId ? { clientId: c.clientId } : {}),
    scope: 'openid profile email',
  };
}

export function renderIndex(template: string, c: UiPageConfig): string {
  const meta = `<meta name="gitlink-config" content="${escapeHtml(JSON.stringify(browserConfig(c)))}">`;
  if (template.includes('<!--gitlink:config-->')) return template.replace('<!--gitlink:config-->', meta);
  return template.replace('</head>', `${meta}\n</head>`);
}

export function contentSecurityPolicy(c: UiPageConfig): string {
  const idp = [...new Set([originOf(c.issuer), ...(c.extraOrigins ?? []).map(originOf)].filter((o): o is string => !!o))];
  const plus = idp.length ? ` ${idp.join(' ')}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    // oidc-client-ts fetches discovery and the token endpoint from the page.
    `connect-src 'self'${plus}`,
    `form-action 'self'${plus}`,
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Headers for index.html: never cached (it names the current hashed assets and carries the config). */
export function indexHeaders(c: UiPageConfig): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': contentSecurityPolicy(c),
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}
