/**
 * A small REST client for provider APIs. The authorizer adds credentials per
 * request: a bearer token (OAuth 2.0) or an RSA-SHA1 signature (OAuth 1.0a).
 */
import { apiFailure, ProviderError, providerFetch, type ProviderResponse } from './http';
import type { RemoteKey } from './types';

export type Authorize = ((method: string, url: string) => Promise<Record<string, string>> | Record<string, string>) & {
  /** Called when the provider accepted these credentials (answered anything but 401). */
  accepted?: () => void;
};

export interface Rest {
  call(method: string, path: string, body?: unknown): Promise<ProviderResponse>;
  /** Calls and insists on one of `ok` statuses, else a classified error naming `what`. */
  expect(what: string, ok: number[], method: string, path: string, body?: unknown): Promise<ProviderResponse>;
}

/**
 * `authorize` may be a list: each is tried in turn while the provider answers 401
 * (a Bitbucket signing key mid-rotation), and the one accepted is told so.
 */
export function rest(base: string, authorize: Authorize | Authorize[], timeoutMs: number, headers: Record<string, string> = {}): Rest {
  const root = base.replace(/\/+$/, '');
  const authorizers = Array.isArray(authorize) ? authorize : [authorize];
  const call = async (method: string, path: string, body?: unknown) => {
    const url = `${root}${path}`;
    let res: ProviderResponse | undefined;
    for (const auth of authorizers) {
      res = await providerFetch(url, {
        method,
        timeoutMs,
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
    call,
    async expect(what, ok, method, path, body) {
      const res = await call(method, path, body);
      if (!ok.includes(res.status)) throw apiFailure(what, res);
      return res;
    },
  };
}

export const bearer = (token: string): Authorize => () => ({ authorization: `Bearer ${token}` });

/** `ssh-ed25519 AAAA… comment` → `ssh-ed25519 AAAA…`: providers compare keys without the comment. */
export const keyMaterial = (key: string) => key.trim().split(/\s+/).slice(0, 2).join(' ');

export interface KeyEndpoints {
  /** POST here with `body` to add the key. */
  addPath: string;
  body: unknown;
  /** Lists this account's keys, to recognise ours after a "duplicate" answer. */
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
export async function addKeyOrFindOwn(r: Rest, publicKey: string, e: KeyEndpoints): Promise<RemoteKey> {
  const res = await r.call('POST', e.addPath, e.body);
  if (res.status === 201) return { id: e.readId(res.json) };
  if (res.status === e.duplicateStatus) {
    const mine = await r.expect('list SSH keys', [200], 'GET', e.listPath);
    const found = e.readList(mine.json).find((k) => keyMaterial(k.key) === keyMaterial(publicKey));
    if (found) return { id: found.id };
    throw new ProviderError('refused', 'ssh_key_in_use', 'This SSH key is registered to another account at the provider.', {
      detail: `POST ${e.addPath}: ${res.status} ${res.text.slice(0, 200)}`,
    });
  }
  throw apiFailure('add the SSH key', res);
}
