/**
 * A small REST client for provider APIs. The authorizer adds credentials per
 * request: a bearer token (OAuth 2.0) or an RSA-SHA1 signature (OAuth 1.0a).
 */
import { apiFailure, ProviderError, providerFetch, type ProviderResponse, type Reach } from './http';
import type { RemoteKey } from './types';

export type Authorize = ((method: string, url: string) => Promise<Record<string, string>> | Record<string, string>) & {
  /** Called when the provider accepted these credentials (answered anything but 401). */
  accepted?: () => void;
};

export interface Rest {
  /** The API root, without a trailing slash. */
  root: string;
  call(method: string, path: string, body?: unknown): Promise<ProviderResponse>;
  /** Calls and insists on one of `ok` statuses, else a classified error naming `what`. */
  expect(what: string, ok: number[], method: string, path: string, body?: unknown): Promise<ProviderResponse>;
}

/**
 * `authorize` may be a list: each is tried in turn while the provider answers 401
 * (a Bitbucket signing key mid-rotation), and the one accepted is told so.
 */
export function rest(base: string, authorize: Authorize | Authorize[], reach: Reach, headers: Record<string, string> = {}): Rest {
  const root = base.replace(/\/+$/, '');
  const authorizers = Array.isArray(authorize) ? authorize : [authorize];
  const call = async (method: string, path: string, body?: unknown) => {
    const url = `${root}${path}`;
    let res: ProviderResponse | undefined;
    for (const auth of authorizers) {
      res = await providerFetch(url, {
        method,
        timeoutMs: reach.timeoutMs,
        allowLoopback: reach.allowLoopback,
        headers: {
          accept: 'application/json',
          ...headers,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(await auth(method, url)),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (res.status !== 401) {
        auth.accepted?.();
        break;
      }
    }
    return res!;
  };
  return {
    root,
    call,
    async expect(what, ok, method, path, body) {
      const res = await call(method, path, body);
      if (!ok.includes(res.status)) throw apiFailure(what, res);
      return res;
    },
  };
}

export const bearer = (token: string): Authorize => () => ({ authorization: `Bearer ${token}` });

/** RFC 8288 `Link: <url>; rel="next"`, as GitHub and GitLab paginate their REST lists. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = m ? /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(m[2]!)?.[1] : undefined;
    if (rel?.toLowerCase().split(/\s+/).includes('next')) return m![1];
  }
  return undefined;
}

/** At most this many pages of a list are read (100 items each) before giving up. */
const MAX_LINK_PAGES = 10;

/**
 * Reads a list page by page, following `Link: rel="next"`, and returns the first item
 * `match` accepts. A next link is followed only under the API's own root: a provider
 * answer must not send gitlink's token to another host.
 */
export async function findInLinkedPages<T>(r: Rest, what: string, firstPath: string, read: (json: unknown) => T[], match: (item: T) => boolean): Promise<T | undefined> {
  let path: string | undefined = firstPath;
  for (let i = 0; path !== undefined && i < MAX_LINK_PAGES; i++) {
    const res = await r.expect(what, [200], 'GET', path);
    const found = read(res.json).find(match);
    if (found) return found;
    const next = nextLink(res.headers.get('link'));
    path = next?.startsWith(`${r.root}/`) ? next.slice(r.root.length) : undefined;
  }
  return undefined;
}

/** `ssh-ed25519 AAAA… comment` → `ssh-ed25519 AAAA…`: providers compare keys without the comment. */
export const keyMaterial = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(' ');

export interface KeyEndpoints {
  /** POST here with `body` to add the key. */
  addPath: string;
  body: unknown;
  /** Lists this account's keys (paginated by `Link`), to recognise ours after a "duplicate" answer. */
  listPath: string;
  /** The status the provider answers for a key it already has (GitHub 422, GitLab 400). */
  duplicateStatus: number;
  /** Reads the list answer as `{id, key}` pairs. */
  readList: (json: unknown) => Array<{ id: string; key: string }>;
  /** Reads the id from the 201 answer. */
  readId: (json: unknown) => string;
}

/**
 * Adds an SSH key. A "duplicate" answer is success only when this account
 * lists the same key material: keys are unique across the whole provider, so
 * the same key on *another* account is an error, not ours.
 */
/** This account's key with the same key material, across every page of the list. */
export async function findOwnKey(r: Rest, publicKey: string, e: Pick<KeyEndpoints, 'listPath' | 'readList'>): Promise<RemoteKey | undefined> {
  const found = await findInLinkedPages(r, 'list SSH keys', e.listPath, e.readList, (k) => keyMaterial(k.key) === keyMaterial(publicKey));
  return found ? { id: found.id } : undefined;
}

export async function addKeyOrFindOwn(r: Rest, publicKey: string, e: KeyEndpoints): Promise<RemoteKey> {
  const res = await r.call('POST', e.addPath, e.body);
  if (res.status === 201) return { id: e.readId(res.json) };
  if (res.status === e.duplicateStatus) {
    const found = await findOwnKey(r, publicKey, e);
    if (found) return found;
    throw new ProviderError('refused', 'ssh_key_in_use', 'This SSH key is registered to another account at the provider.', {
      detail: `POST ${e.addPath}: ${res.status} ${res.text.slice(0, 200)}`,
    });
  }
  throw apiFailure('add the SSH key', res);
}
