/**
 * The OIDC settings the ui function injects into index.html as
 * `<meta name="gitlink-config" content="{…}">` (shared/ui/page.ts). Nothing in it is secret.
 */
export interface UiConfig {
  /** OIDC issuer (authority); discovery is `${issuer}/.well-known/openid-configuration`. */
  issuer?: string;
  clientId?: string;
  scope: string;
}

export function readConfig(doc: Document = document): UiConfig {
  const raw = doc.querySelector('meta[name="gitlink-config"]')?.getAttribute('content');
  let parsed: Partial<UiConfig> = {};
  try {
    parsed = raw ? (JSON.parse(raw) as Partial<UiConfig>) : {};
  } catch {
    parsed = {};
  }
  return {
    ...(typeof parsed.issuer === 'string' && parsed.issuer ? { issuer: parsed.issuer } : {}),
    ...(typeof parsed.clientId === 'string' && parsed.clientId ? { clientId: parsed.clientId } : {}),
    scope: typeof parsed.scope === 'string' && parsed.scope ? parsed.scope : 'openid profile email',
  };
}
