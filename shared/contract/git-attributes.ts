/**
 * git's credential attribute format (git-credential(1) "INPUT/OUTPUT FORMAT"):
 * one `key=value` per line, terminated by a blank line or end of input. The
 * key may hold any byte but `=`, newline or NUL; the value any byte but
 * newline or NUL; there is no quoting. Unrecognised attributes are discarded
 * (gitcredentials(7) "Custom helpers"), and a repeated key overwrites the earlier one.
 *
 * Dependency-free, part of the contract: the credential route speaks it, and the bundled CLI too.
 */

export type GitAttributes = Record<string, string>;

export class GitAttributeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitAttributeError';
  }
}

/** Attributes gitlink reads; others (`wwwauth[]`, `capability[]`, …) are ignored, as git asks. */
export const KNOWN_ATTRIBUTES = ['protocol', 'host', 'path', 'username', 'password', 'password_expiry_utc'] as const;

export function parseGitAttributes(text: string): GitAttributes {
  if (text.includes('\0')) throw new GitAttributeError('NUL is not allowed in credential attributes');
  const out: GitAttributes = {};
  for (const line of text.split('\n')) {
    if (line === '') break; // a blank line ends the list
    const i = line.indexOf('=');
    if (i <= 0) throw new GitAttributeError('each line must be key=value');
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    // git writes LF only; a CR is either a CRLF client or an injection attempt.
    if (value.includes('\r') || key.includes('\r')) throw new GitAttributeError('CR is not allowed in credential attributes');
    if ((KNOWN_ATTRIBUTES as readonly string[]).includes(key)) out[key] = value;
  }
  return out;
}

/** Formats attributes for git; refuses values git could not read back. */
export function formatGitAttributes(attrs: Record<string, string | number | undefined>): string {
  let out = '';
  for (const [key, raw] of Object.entries(attrs)) {
    if (raw === undefined) continue;
    const value = String(raw);
    if (/[\0\r\n]/.test(value) || /[\0\r\n=]/.test(key) || key === '') {
      throw new GitAttributeError(`attribute ${key} cannot be sent to git`);
    }
    out += `${key}=${value}\n`;
  }
  return out;
}
