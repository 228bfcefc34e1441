// SANDBOX_MARKER_DO_NOT_SHIP: test/sandbox provider fakes; a bundle test fails if this reaches a Lambda bundle.
/**
 * The fake Bitbucket Server's own RFC 5849 signature check, written from the RFC
 * and sharing no code with gitlink or `oauth-1.0a`: if both made the same mistake,
 * a test against this would still catch it. Every step cites its section.
 */
import { verify } from 'node:crypto';

/** §3.6: every octet but ALPHA, DIGIT, '-', '.', '_', '~' as %XX (uppercase hex), over UTF-8. */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decoding of octets, then UTF-8. Throws on a malformed escape. */
export function percentDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`bad percent-escape at ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export type Param = [name: string, value: string];

/** §3.4.1.3.1 → W3C HTML 4.01 §17.13.4: `application/x-www-form-urlencoded`, '+' is a space. */
export function parseForm(s: string): Param[] {
  if (!s) return [];
  return s.split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    const [n, v] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    return [percentDecode(n.replace(/\+/g, ' ')), percentDecode(v.replace(/\+/g, ' '))];
  });
}

/** §3.5.1: `OAuth name="value", …`, values §3.6-encoded. Returns null when it is not an OAuth header. */
export function parseAuthorizationHeader(header: string | undefined): Param[] | null {
  const m = /^OAuth\s+(.*)$/is.exec(header ?? '');
  if (!m) return null;
  const params: Param[] = [];
  const re = /\s*([^\s=,]+)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  const body = m[1]!.trim();
  let match: RegExpExecArray | null;
  while (re.lastIndex < body.length && (match = re.exec(body))) params.push([percentDecode(match[1]!), percentDecode(match[2]!)]);
  if (re.lastIndex < body.length) return null;
  return params;
}

/** §3.4.1.2: scheme and host in lowercase; the port only when it is not the scheme's default. */
export function baseStringUri(scheme: string, hostHeader: string, path: string): string {
  const s = scheme.toLowerCase();
  const [host, port] = hostHeader.toLowerCase().split(':') as [string, string | undefined];
  const defaultPort = (s === 'http' && port === '80') || (s === 'https' && port === '443');
  return `${s}://${host}${port && !defaultPort ? `:${port}` : ''}${path}`;
}

/** §3.4.1.3.2: encode, sort by name then value (byte order), join with '=' and '&'. */
export function normalizeParams(params: Param[]): string {
  const encoded = params.map(([n, v]) => [percentEncode(n), percentEncode(v)] as const);
  const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  encoded.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

export interface IncomingSigned {
  method: string;
  scheme: string;
  host: string;
  /** Path without the query, as sent (already percent-encoded). */
  path: string;
  /** The raw query string without '?'. */
  rawQuery: string;
  /** The Authorization header's parameters (realm and oauth_signature are dropped here). */
  headerParams: Param[];
  contentType: string | undefined;
  body: string;
}

/** §3.4.1.1: METHOD & encoded base URI & encoded normalized parameters. */
export function signatureBaseString(r: IncomingSigned): string {
  const params: Param[] = [
    ...parseForm(r.rawQuery), // §3.4.1.3.1 query component
    ...r.headerParams.filter(([n]) => n !== 'realm' && n !== 'oauth_signature'),
  ];
  // §3.4.1.3.1: the body only when single-part, form-encoded, and declared so. A JSON body never is.
  if ((r.contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded') params.push(...parseForm(r.body));
  return [r.method.toUpperCase(), percentEncode(baseStringUri(r.scheme, r.host, r.path)), percentEncode(normalizeParams(params))].join('&');
}

/** §3.4.3: RSASSA-PKCS1-v1_5-VERIFY with SHA-1 against the consumer's public key. */
export function verifyRsaSha1(baseString: string, signatureB64: string, publicKeyPem: string): boolean {
  try {
    return verify('RSA-SHA1', Buffer.from(baseString, 'utf8'), publicKeyPem, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
