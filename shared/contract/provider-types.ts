/**
 * The provider-type catalog: what every part of gitlink (server, web UI, CLI) knows about a
 * provider type, as pure data. The protocol work and the quirks live in the type's file under
 * shared/providers/; what an admin fills in, what a developer sees and what gitlink can do
 * with a type live here, once. Adding a type is one catalog entry, one provider file, an icon
 * (web/src/icons.ts) and a fake (test/providers/).
 */
export const providerTypes = ['github', 'gitlab', 'bitbucket-server', 'bitbucket-dc', 'bitbucket-cloud'] as const;
export type ProviderType = (typeof providerTypes)[number];

/**
 * How gitlink authenticates to the provider as a client: an OAuth 2.0 client secret (kept in
 * Secrets Manager), or an RSA signing key pair whose public half the admin pastes into the
 * provider (OAuth 1.0a). A new kind (a GitHub App's private key, say) is one more member.
 */
export type CredentialKind = 'client-secret' | 'rsa-signing-key';

/** The admin API's provider fields a type may take (shared/admin/provider-input.ts). */
export type AdminFieldName = 'baseUrl' | 'apiUrl' | 'clientId' | 'clientSecret' | 'scopes' | 'pkce' | 'consumerKey' | 'consumerName';

export interface AdminField {
  name: AdminFieldName;
  label: string;
  /** "Where to paste what", or what an empty value means. */
  hint?: string;
  placeholder?: string;
}

export interface Capabilities {
  /** git over HTTPS with the access token as password (else SSH only). */
  gitHttps: boolean;
  /** gitlink registers and deletes the developer's SSH key through the provider's API. */
  sshKeyApi: boolean;
  /** The provider can revoke a token through its API (else the developer revokes by hand). */
  tokenRevocation: boolean;
  /** Access tokens expire and are refreshed. */
  refresh: boolean;
}

export interface ProviderTypeInfo {
  type: string;
  /** Short name for cards and the default display name ("Bitbucket Data Center"). */
  label: string;
  /** For the admin's type picker, with what tells similar types apart. */
  choice: string;
  /** The public home of a hosted provider: the base URL when none is given. */
  defaultBaseUrl?: string;
  /** The least that covers git over HTTPS plus SSH-key management. */
  defaultScopes: readonly string[];
  /** PKCE's default: on, off, or on only at one base URL (github.com: yes; GHES versions differ). */
  pkceDefault: boolean | { onlyAt: string };
  /** Username for git over HTTPS with the token as password; absent when SSH only. */
  gitUsername?: string;
  credential: CredentialKind;
  /** The admin form's fields for this type, in order (besides id, type and display name). */
  fields: readonly AdminField[];
  hints: {
    baseUrl: string;
    /** Where to register gitlink at the provider and what to paste where. */
    setup: string;
    /** Where a developer revokes gitlink's access by hand (types without token revocation). */
    revokeByHand?: string;
  };
  capabilities: Capabilities;
}

const apiUrlField: AdminField = { name: 'apiUrl', label: 'API URL (optional)', hint: 'Leave empty to derive it from the base URL.' };

/** OAuth 2.0 with a client secret: the fields every such type asks for. */
function clientSecretFields(p: { clientId: string; clientSecret: string; apiUrl?: boolean; pkceHint?: string }): AdminField[] {
  return [
    ...(p.apiUrl ? [apiUrlField] : []),
    { name: 'clientId', label: p.clientId },
    { name: 'clientSecret', label: p.clientSecret },
    { name: 'scopes', label: 'Scopes' },
    ...(p.pkceHint ? [{ name: 'pkce' as const, label: 'Use PKCE (S256)', hint: p.pkceHint }] : []),
  ];
}

const everything: Capabilities = { gitHttps: true, sshKeyApi: true, tokenRevocation: true, refresh: true };

export const providerCatalog: Record<ProviderType, ProviderTypeInfo> = {
  github: {
    type: 'github',
    label: 'GitHub',
    choice: 'GitHub (github.com or Enterprise Server)',
    defaultBaseUrl: 'https://github.com',
    // repo: git over HTTPS; admin:public_key: add *and* delete keys (write: only adds); read:user: GET /user.
    defaultScopes: ['repo', 'admin:public_key', 'read:user'],
    // github.com supports PKCE (S256); GHES versions differ, so it is a per-provider switch, off by default.
    pkceDefault: { onlyAt: 'https://github.com' },
    gitUsername: 'x-access-token',
    credential: 'client-secret',
    fields: clientSecretFields({
      clientId: 'Client ID',
      clientSecret: 'Client secret',
      apiUrl: true,
      pkceHint: 'On for github.com. For GitHub Enterprise Server, turn it on only if your version supports PKCE.',
    }),
    hints: {
      baseUrl: 'https://github.com, or your GitHub Enterprise Server address.',
      setup:
        'GitHub → Settings → Developer settings → OAuth Apps → New OAuth App (for GHES, the same on your server). Paste the Homepage URL and the Authorization callback URL.',
    },
    capabilities: everything,
  },
  gitlab: {
    type: 'gitlab',
    label: 'GitLab',
    choice: 'GitLab (gitlab.com or self-managed)',
    defaultBaseUrl: 'https://gitlab.com',
    // api: POST/DELETE /user/keys need it; read_user: GET /user; write_repository: git push over HTTPS.
    defaultScopes: ['api', 'read_user', 'write_repository'],
    pkceDefault: true,
    gitUsername: 'oauth2',
    credential: 'client-secret',
    fields: clientSecretFields({ clientId: 'Application ID', clientSecret: 'Secret', apiUrl: true, pkceHint: 'GitLab supports PKCE (S256); keep it on.' }),
    hints: {
      baseUrl: 'https://gitlab.com, or your self-managed GitLab address.',
      setup:
        'GitLab → User settings (or Admin area, or Group settings) → Applications → Add new application. Paste the Callback URL as the Redirect URI, tick the scopes below, keep "Confidential" on.',
    },
    capabilities: everything,
  },
  'bitbucket-server': {
    type: 'bitbucket-server',
    label: 'Bitbucket Server',
    choice: 'Bitbucket Server (7.19 and older, OAuth 1.0a)',
    // Application-link tokens carry the user's own permissions; OAuth 1.0a has no scopes.
    defaultScopes: [],
    pkceDefault: false,
    // No git over HTTPS with an OAuth 1.0a token: SSH only.
    credential: 'rsa-signing-key',
    fields: [
      { name: 'consumerKey', label: 'Consumer key', placeholder: 'gitlink', hint: 'The Application Link’s consumer key. Empty means “gitlink”.' },
      { name: 'consumerName', label: 'Consumer name', placeholder: 'gitlink', hint: 'Shown to users in Bitbucket. Empty means “gitlink”.' },
    ],
    hints: {
      baseUrl: 'Your Bitbucket Server address, e.g. https://bitbucket.example.com.',
      setup:
        'Bitbucket → Administration → Application Links → Create link. Application URL: the Homepage URL below; type "Generic Application"; tick "Create incoming link". ' +
        'In the Incoming Authentication form paste the Consumer Key, Consumer Name and Public Key below (Consumer Callback URL: the Callback URL), then confirm the key here after any rotation.',
      revokeByHand: 'your avatar → Manage account → Authorized applications → gitlink → Revoke access',
    },
    capabilities: { gitHttps: false, sshKeyApi: true, tokenRevocation: false, refresh: false },
  },
  'bitbucket-dc': {
    type: 'bitbucket-dc',
    label: 'Bitbucket Data Center',
    choice: 'Bitbucket Data Center (7.20 and newer)',
    // REPO_WRITE: clone and push (implies REPO_READ); ACCOUNT_WRITE: add and delete the user's SSH keys.
    defaultScopes: ['REPO_WRITE', 'ACCOUNT_WRITE'],
    pkceDefault: true,
    gitUsername: 'x-token-auth',
    credential: 'client-secret',
    fields: clientSecretFields({ clientId: 'Client ID', clientSecret: 'Client secret', pkceHint: 'Bitbucket Data Center supports PKCE (S256); keep it on.' }),
    hints: {
      baseUrl: 'Your Bitbucket Data Center address, e.g. https://bitbucket.example.com.',
      setup:
        'Bitbucket → Administration → Application Links → Create link → "External application", direction "Incoming". Paste the Callback URL as the Redirect URL, ' +
        'grant "Repositories: Write" and "Account: Write", then copy the Client ID and Client secret here.',
      revokeByHand: 'your profile → Authorized applications → gitlink → Revoke access',
    },
    capabilities: { ...everything, tokenRevocation: false },
  },
  'bitbucket-cloud': {
    type: 'bitbucket-cloud',
    label: 'Bitbucket Cloud',
    choice: 'Bitbucket Cloud (bitbucket.org)',
    defaultBaseUrl: 'https://bitbucket.org',
    // repository:write implies repository (clone and push over HTTPS); account:write implies account (GET /user) and manages SSH keys.
    defaultScopes: ['repository:write', 'account:write'],
    // Not documented for bitbucket.org's authorization server.
    pkceDefault: false,
    gitUsername: 'x-token-auth',
    credential: 'client-secret',
    fields: clientSecretFields({ clientId: 'Key', clientSecret: 'Secret' }),
    hints: {
      baseUrl: 'https://bitbucket.org.',
      setup:
        'Bitbucket → Workspace settings → OAuth consumers → Add consumer. Paste the Callback URL, tick Account: Write and Repositories: Write, keep "This is a private consumer" off, then copy the Key (client id) and Secret here.',
      revokeByHand: 'Personal settings → App authorizations → gitlink → Revoke',
    },
    capabilities: { ...everything, tokenRevocation: false },
  },
};

export const isProviderType = (type: unknown): type is ProviderType => typeof type === 'string' && Object.hasOwn(providerCatalog, type);

/** The catalog entry of a type. */
export const providerType = (type: ProviderType): ProviderTypeInfo => providerCatalog[type];

/**
 * A type a client does not know (a newer server's): shown by its name, with nothing assumed.
 * The server never needs this; it only stores catalog types.
 */
export function describeType(type: string): ProviderTypeInfo {
  if (isProviderType(type)) return providerCatalog[type];
  return {
    type,
    label: type,
    choice: type,
    defaultScopes: [],
    pkceDefault: false,
    credential: 'client-secret',
    fields: [],
    hints: { baseUrl: '', setup: '' },
    capabilities: { gitHttps: false, sshKeyApi: false, tokenRevocation: false, refresh: false },
  };
}

export const needsClientSecret = (type: string): boolean => describeType(type).credential === 'client-secret';
export const usesSigningKey = (type: string): boolean => describeType(type).credential === 'rsa-signing-key';
export const hasField = (type: string, field: AdminFieldName): boolean => describeType(type).fields.some((f) => f.name === field);

/** The PKCE switch's default for a base URL. */
export function defaultPkce(type: string, baseUrl: string): boolean {
  const d = describeType(type).pkceDefault;
  if (typeof d === 'boolean') return d;
  try {
    return new URL(baseUrl).origin === new URL(d.onlyAt).origin;
  } catch {
    return false;
  }
}
