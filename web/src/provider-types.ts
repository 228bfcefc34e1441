/**
 * What the UI shows per provider type: icon, label and the admin form's fields.
 * The server's per-type rules live in shared/providers/; this is
 * the client's one table of the same facts (ARCHITECTURE.md §2), so no other web module
 * branches on a type.
 */
import bitbucketIcon from '../icons/bitbucket.svg';
import gitIcon from '../icons/git.svg';
import githubIcon from '../icons/github.svg';
import gitlabIcon from '../icons/gitlab.svg';

export interface TypeInfo {
  type: string;
  /** Short name for cards ("Bitbucket Data Center"). */
  label: string;
  /** For the admin's type picker, with what tells similar types apart. */
  choice: string;
  icon: string;
  /** Filled in when the admin picks the type. */
  defaultBaseUrl: string;
  baseUrlHint: string;
  /** `secret`: OAuth 2.0 client id + secret. `signing-key`: OAuth 1.0a consumer + RSA key (Bitbucket Server). */
  credentials: 'secret' | 'signing-key';
  clientIdLabel: string;
  clientSecretLabel: string;
  defaultScopes: string[];
  /** Whether the PKCE switch applies, its default for a base URL, and what to tell the admin. */
  pkce: boolean;
  defaultPkce: (baseUrl: string) => boolean;
  pkceHint: string;
  /** Whether an API URL override makes sense (GitHub Enterprise, test fakes). */
  apiUrl: boolean;
}

export const providerTypes: TypeInfo[] = [
  {
    type: 'github',
    label: 'GitHub',
    choice: 'GitHub (github.com or Enterprise Server)',
    icon: githubIcon,
    defaultBaseUrl: 'https://github.com',
    baseUrlHint: 'https://github.com, or your GitHub Enterprise Server address.',
    credentials: 'secret',
    clientIdLabel: 'Client ID',
    clientSecretLabel: 'Client secret',
    defaultScopes: ['repo', 'admin:public_key', 'read:user'],
    pkce: true,
    // As shared/providers/github.ts: github.com supports S256; GHES versions differ, so off by default.
    defaultPkce: (url) => /^https:\/\/github\.com\/?$/.test(url),
    pkceHint: 'On for github.com. For GitHub Enterprise Server, turn it on only if your version supports PKCE.',
    apiUrl: true,
  },
  {
    type: 'gitlab',
    label: 'GitLab',
    choice: 'GitLab (gitlab.com or self-managed)',
    icon: gitlabIcon,
    defaultBaseUrl: 'https://gitlab.com',
    baseUrlHint: 'https://gitlab.com, or your self-managed GitLab address.',
    credentials: 'secret',
    clientIdLabel: 'Application ID',
    clientSecretLabel: 'Secret',
    defaultScopes: ['api', 'read_user', 'write_repository'],
    pkce: true,
    defaultPkce: () => true,
    pkceHint: 'GitLab supports PKCE (S256); keep it on.',
    apiUrl: true,
  },
  {
    type: 'bitbucket-server',
    label: 'Bitbucket Server',
    choice: 'Bitbucket Server (7.19 and older, OAuth 1.0a)',
    icon: bitbucketIcon,
    defaultBaseUrl: '',
    baseUrlHint: 'Your Bitbucket Server address, e.g. https://bitbucket.example.com.',
    credentials: 'signing-key',
    clientIdLabel: 'Consumer key',
    clientSecretLabel: '',
    defaultScopes: [],
    pkce: false,
    defaultPkce: () => false,
    pkceHint: '',
    apiUrl: false,
  },
  {
    type: 'bitbucket-dc',
    label: 'Bitbucket Data Center',
    choice: 'Bitbucket Data Center (7.20 and newer)',
    icon: bitbucketIcon,
    defaultBaseUrl: '',
    baseUrlHint: 'Your Bitbucket Data Center address, e.g. https://bitbucket.example.com.',
    credentials: 'secret',
    clientIdLabel: 'Client ID',
    clientSecretLabel: 'Client secret',
    defaultScopes: ['REPO_WRITE', 'ACCOUNT_WRITE'],
    pkce: true,
    defaultPkce: () => true,
    pkceHint: 'Bitbucket Data Center supports PKCE (S256); keep it on.',
    apiUrl: false,
  },
  {
    type: 'bitbucket-cloud',
    label: 'Bitbucket Cloud',
    choice: 'Bitbucket Cloud (bitbucket.org)',
    icon: bitbucketIcon,
    defaultBaseUrl: 'https://bitbucket.org',
    baseUrlHint: 'https://bitbucket.org.',
    credentials: 'secret',
    clientIdLabel: 'Key',
    clientSecretLabel: 'Secret',
    defaultScopes: ['repository:write', 'account:write'],
    pkce: false,
    defaultPkce: () => false,
    pkceHint: '',
    apiUrl: false,
  },
];

export function typeInfo(type: string): TypeInfo {
  return (
    providerTypes.find((t) => t.type === type) ?? {
      type,
      label: type,
      choice: type,
      icon: gitIcon,
      defaultBaseUrl: '',
      baseUrlHint: '',
      credentials: 'secret',
      clientIdLabel: 'Client ID',
      clientSecretLabel: 'Client secret',
      defaultScopes: [],
      pkce: true,
      defaultPkce: () => true,
      pkceHint: '',
      apiUrl: false,
    }
  );
}
