/**
 * Validation of admin input for providers (zod at the edge).
 * A failure is a 400 naming the field.
 */
import * as z from 'zod';
import type { Config } from '../config';
import { hostProblem } from '../net/address';
import { stripControls } from '../contract/text';
import { isLoopbackHostname } from '../net/loopback';
import { providerTypes } from '../providers/types';


/** What the URL rules depend on: loopback hosts only in local mode, plain http on them only when asked. */
export type UrlMode = Pick<Config, 'GITLINK_MODE' | 'ALLOW_HTTP_LOOPBACK'>;

/**
 * An https URL with no credentials, query or fragment. Plain http only for
 * loopback hosts, and only when the local stack allows it.
 */
export const providerUrl = ({ GITLINK_MODE, ALLOW_HTTP_LOOPBACK: allowHttpLoopback }: UrlMode) =>
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
      const httpOk = allowHttpLoopback && url.protocol === 'http:' && isLoopbackHostname(url.hostname);
      if (url.protocol !== 'https:' && !httpOk) {
        ctx.addIssue({ code: 'custom', message: allowHttpLoopback ? 'must use https (http only for localhost)' : 'must use https' });
        return z.NEVER;
      }
      // Link-local, metadata and unspecified addresses in every spelling (address.ts); loopback too
      // outside local mode: in Lambda it reaches the function's own sandbox (the Runtime API).
      const problem = hostProblem(url.hostname, GITLINK_MODE === 'local');
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
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

/**
 * A name people read: control characters (C0, DEL, C1) and bidirectional overrides are
 * stripped, because names reach developers' terminals through the CLI, where an escape
 * sequence could rewrite what they see (issue 10 item 8).
 */
const humanText = (max: number) =>
  z
    .string()
    .max(max * 4)
    .transform((v) => stripControls(v).trim())
    .pipe(z.string().min(1).max(max));

export function providerInputSchemas(mode: UrlMode) {
  const mutable = {
    displayName: humanText(64).optional(),
    /** Optional for providers with one public home (github.com, gitlab.com, bitbucket.org). */
    baseUrl: providerUrl(mode).optional(),
    apiUrl: providerUrl(mode).nullable().optional(),
    clientId: printable(256).optional(),
    clientSecret: printable(1024).optional(),
    // An array, or the space/comma-separated string providers' own forms use.
    scopes: z
      .preprocess((v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v), z.array(scope).max(32))
      .optional(),
    pkce: z.boolean().optional(),
    consumerKey: printable(128).optional(),
    consumerName: humanText(128).optional(),
  };
  // Unknown keys are dropped, not refused: clients may send fields of other versions.
  const create = z.object({ id: providerId, type: z.enum(providerTypes), ...mutable });
  const update = z.object({
    // id and type may be repeated but not changed.
    id: providerId.optional(),
    type: z.enum(providerTypes).optional(),
    ...Object.fromEntries(Object.entries(mutable).map(([k, v]) => [k, v.optional()])),
  }) as unknown as z.ZodType<Partial<z.infer<typeof create>>>;
  return { create, update };
}

export type ProviderCreateInput = z.infer<ReturnType<typeof providerInputSchemas>['create']>;
