/**
 * Validation of admin input for providers (zod at the edge, CONVENTIONS §5).
 * A failure is a 400 naming the field.
 */
import * as z from 'zod';
import { providerTypes } from '../providers/types';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An https URL with no credentials, query or fragment. Plain http only for
 * loopback hosts, and only when the local stack allows it.
 */
export const providerUrl = (allowHttpLoopback: boolean) =>
  z
    .string()
    .max(2048)
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
        return z.NEVER;
      }
      const httpOk = allowHttpLoopback && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
      if (url.protocol !== 'https:' && !httpOk) {
        ctx.addIssue({ code: 'custom', message: allowHttpLoopback ? 'must use https (http only for localhost)' : 'must use https' });
        return z.NEVER;
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
        return z.NEVER;
      }
      if (url.search || url.hash || value.includes('?') || value.includes('#')) {
        ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
        return z.NEVER;
      }
      return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    });

export const providerId = z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be 1–32 characters of a-z, 0-9 and -');
const printable = (max: number) => z.string().min(1).max(max).regex(/^[\x20-\x7e]+$/, 'must be printable ASCII');
const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'each scope must be a scope-token (RFC 6749 §3.3)');

export function providerInputSchemas(allowHttpLoopback: boolean) {
  const mutable = {
    displayName: z.string().trim().min(1).max(64),
    baseUrl: providerUrl(allowHttpLoopback),
    apiUrl: providerUrl(allowHttpLoopback).nullable().optional(),
    clientId: printable(256).optional(),
    clientSecret: printable(1024).optional(),
    scopes: z.array(scope).max(32).optional(),
    pkce: z.boolean().optional(),
    consumerKey: printable(128).optional(),
    consumerName: z.string().trim().min(1).max(128).optional(),
  };
  const create = z.strictObject({ id: providerId, type: z.enum(providerTypes), ...mutable });
  const update = z.strictObject({
    // id and type may be repeated but not changed.
    id: providerId.optional(),
    type: z.enum(providerTypes).optional(),
    ...Object.fromEntries(Object.entries(mutable).map(([k, v]) => [k, v.optional()])),
  }) as unknown as z.ZodType<Partial<z.infer<typeof create>>>;
  return { create, update };
}

export type ProviderCreateInput = z.infer<ReturnType<typeof providerInputSchemas>['create']>;
