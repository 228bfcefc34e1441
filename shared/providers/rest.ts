/**
 * A small REST client for provider APIs. The authorizer adds credentials per
 * request: a bearer token (OAuth 2.0) or an RSA-SHA1 signature (OAuth 1.0a).
 */
import { apiFailure, providerFetch, type ProviderResponse } from './http';

export type Authorize = (method: string, url: string) => Promise<Record<string, string>> | Record<string, string>;

export interface Rest {
  call(method: string, path: string, body?: unknown): Promise<ProviderResponse>;
  /** Calls and insists on one of `ok` statuses, else a classified error naming `what`. */
  expect(what: string, ok: number[], method: string, path: string, body?: unknown): Promise<ProviderResponse>;
}

export function rest(base: string, authorize: Authorize, timeoutMs: number, headers: Record<string, string> = {}): Rest {
  const root = base.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const url = `${root}${path}`;
    return providerFetch(url, {
      method,
      timeoutMs,
      headers: {
        accept: 'application/json',
        ...headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(await authorize(method, url)),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
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
