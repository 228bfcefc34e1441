/**
 * The credential request at the edge: git's attributes, as
 * `text/plain` in git's own format (also when form-typed or untyped, as curl
 * and other plain clients send it) or as JSON, parsed into one typed value.
 */
import * as z from '../zod';
import { badRequest } from '../errors';
import { parseInput } from '../http/validate';
import { GitAttributeError, parseGitAttributes } from '../contract/git-attributes';

/** git-credential(1): a value may hold any byte but newline or NUL. */
const attr = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.refine((v) => !/[\0\r\n]/.test(v), 'must not contain NUL or newlines'),
  );

/** `host` is hostname[:port] (git-credential(1)): a DNS name, IPv4 or a bracketed IPv6 literal. */
const host = z.string().check(
  z.minLength(1),
  z.maxLength(262),
  z.regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, 'must be hostname[:port]'),
);

export const credentialRequest = z.object({
  // git asks helpers for http(s) credentials; which of the two is allowed depends on the provider (hosts.ts).
  protocol: z.enum(['https', 'http']),
  host,
  path: z.optional(attr(4096)),
  username: z.optional(attr(256)),
});
export type CredentialRequest = z.infer<typeof credentialRequest>;

/**
 * Reads the body: git's `key=value` text, or a JSON object.
 *
 * `form` (application/x-www-form-urlencoded, curl's default for `--data-binary`
 * and `-d`) is passed as the raw body text. With a newline in it, it is git's
 * text sent with curl's default type (`printf 'protocol=https\nhost=…\n' | curl
 * --data-binary @- …`). Without one it cannot be git's text (a request needs
 * at least `protocol` and `host`, one per line), so it is read as form fields
 * (`curl -d protocol=https -d host=…`).
 */
export function parseCredentialRequest(body: unknown, kind: 'json' | 'text' | 'form' | 'none'): CredentialRequest {
  if (kind === 'form' && typeof body === 'string' && !body.includes('\n')) {
    return parseInput(credentialRequest, Object.fromEntries(new URLSearchParams(body)));
  }
  if (kind === 'text' || kind === 'form') {
    let attrs: Record<string, string>;
    try {
      attrs = parseGitAttributes(typeof body === 'string' ? body : '');
    } catch (e) {
      if (e instanceof GitAttributeError) throw badRequest('invalid_request', e.message);
      throw e;
    }
    // A password from git is never needed, and never kept.
    const { password: _p, password_expiry_utc: _x, ...rest } = attrs;
    return parseInput(credentialRequest, rest);
  }
  if (kind !== 'json') throw badRequest('invalid_request', 'Send git credential attributes as text/plain or application/json.');
  return parseInput(credentialRequest, body);
}
