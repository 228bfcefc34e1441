/**
 * Validation of admin input for providers (zod at the edge).
 * A failure is a 400 naming the field.
 */
import * as z from '../zod';
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
  z.pipe(
    z.string().check(z.maxLength(2048)),
    z.transform((value: string, ctx) => {
      const problem = (message: string) => {
        ctx.issues.push({ code: 'custom', message, input: value });
        return z.NEVER;
      };
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return problem('must be an absolute URL');
      }
      const httpOk = allowHttpLoopback && url.protocol === 'http:' && isLoopbackHostname(url.hostname);
      if (url.protocol !== 'https:' && !httpOk) return problem(allowHttpLoopback ? 'must use https (http only for localhost)' : 'must use https');
      // Link-local, metadata and unspecified addresses in every spelling (address.ts); loopback too
      // outside local mode: in Lambda it reaches the function's own sandbox (the Runtime API).
      const host = hostProblem(url.hostname, GITLINK_MODE === 'local');
      if (host) return problem(host);
      if (url.username || url.password) return problem('must not contain credentials');
      if (url.search || url.hash || value.includes('?') || value.includes('#')) return problem('must not contain a query or fragment');
      return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
    }),
  );

export const providerId = z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'must be 1–32 characters of a-z, 0-9 and -'));
const printable = (max: number) => z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[\x20-\x7e]+$/, 'must be printable ASCII'));
const scope = z.string().check(z.regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'each scope must be a scope-token (RFC 6749 §3.3)'));

/**
 * A name people read: control characters (C0, DEL, C1) and bidirectional overrides are
 * stripped, because names reach developers' terminals through the CLI, where an escape
 * sequence could rewrite what they see (issue 10 item 8).
 */
const humanText = (max: number) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 4)),
      z.transform((v: string) => stripControls(v).trim()),
    ),
    z.string().check(z.minLength(1), z.maxLength(max)),
  );

export function providerInputSchemas(mode: UrlMode) {
  const mutable = {
    displayName: z.optional(humanText(64)),
    /** Optional for providers with one public home (github.com, gitlab.com, bitbucket.org). */
    baseUrl: z.optional(providerUrl(mode)),
    apiUrl: z.optional(z.nullable(providerUrl(mode))),
    clientId: z.optional(printable(256)),
    clientSecret: z.optional(printable(1024)),
    // An array, or the space/comma-separated string providers' own forms use.
    scopes: z.optional(
      z.pipe(
        z.transform((v: unknown) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v)),
        z.array(scope).check(z.maxLength(32)),
      ),
    ),
    pkce: z.optional(z.boolean()),
    consumerKey: z.optional(printable(128)),
    consumerName: z.optional(humanText(128)),
  };
  // Unknown keys are dropped, not refused: clients may send fields of other versions.
  const create = z.object({ id: providerId, type: z.enum(providerTypes), ...mutable });
  const update = z.object({
    // id and type may be repeated but not changed.
    id: z.optional(providerId),
    type: z.optional(z.enum(providerTypes)),
    ...Object.fromEntries(Object.entries(mutable).map(([k, v]) => [k, z.optional(v)])),
  }) as unknown as z.ZodMiniType<Partial<z.infer<typeof create>>>;
  return { create, update };
}

export type ProviderCreateInput = z.infer<ReturnType<typeof providerInputSchemas>['create']>;
