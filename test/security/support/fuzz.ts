/**
 * Arbitraries for the route fuzzer: hostile values for every part of a request
 * (path parameters, query, headers, cookies, body), and the answer checks every route
 * must pass whatever it was sent.
 */
import fc from 'fast-check';
import * as z from '@shared/zod';

/** Payloads that must never come back raw in HTML or text, nor steer a redirect. */
export const MARKUP = ['<script>alert(1)</script>', '"><svg onload=alert(1)>', "'-alert(1)-'", '<img src=x onerror=alert(1)>'];
export const OFF_ORIGIN = [
  '//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example/', '%2F%2Fevil.example', '%2f%5cevil.example',
  '/%09/evil.example', 'javascript:alert(1)', '///evil.example', 'http:evil.example', '/%2F%2Fevil.example', '\t//evil.example',
];
const TRAVERSAL = ['..', '../..', '../../etc/passwd', '..%2f..%2f', '%2e%2e%2f', '..\\..\\', '....//', '%252e%252e%252f', '.', '%00', 'a/../b'];
const CRLF = ['a\r\nset-cookie: pwned=1', '\r\n\r\n<html>', 'x\nlocation: //evil.example', '%0d%0aset-cookie:%20pwned=1'];

const hugeString = fc.integer({ min: 1_000, max: 8_000 }).map((n) => 'A'.repeat(n));
/** Past the 64 KiB body limit, for bodies only. */
const hugeBody = fc.integer({ min: 60_000, max: 70_000 }).map((n) => `{"name":"${'A'.repeat(n)}"}`);
/** Short, long, unicode (astral, RTL, combining, NUL), markup, off-origin URLs, traversal, CR/LF. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', 'e\u0301', '\ud83d\ude00', '\ud800', '\uffff', 'Ω≈ç√', 'İ', 'ß'),
  fc.constantFrom(...MARKUP, ...OFF_ORIGIN, ...TRAVERSAL, ...CRLF),
  hugeString,
);

/** Known parameter names (so checks are reached), plus noise. */
const KNOWN_PARAMS = ['state', 'code', 'error', 'error_description', 'oauth_token', 'oauth_verifier', 'oauth_problem', 'hostsOnly', 'next', 'redirect_uri', 'returnTo'];
export const paramName = fc.oneof(fc.constantFrom(...KNOWN_PARAMS), fc.string({ maxLength: 12 }));

/** Query as pairs, with repeats (API Gateway joins repeated names with commas). */
export const queryPairs = fc.array(fc.tuple(paramName, hostileString), { maxLength: 6 });

export const pathValue = fc.oneof(fc.constantFrom('gitlab', 'sandbox-x', 'a', 'A'.repeat(33)), hostileString);

export const cookieList = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('__Host-gitlink-link-gitlab', '__Host-gitlink-link-', 'gitlink-dev-session', ''), hostileString).map(([k, v]) => `${k}=${v}`),
    hostileString,
  ),
  { maxLength: 4 },
);

export const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'APPLICATION/JSON', ''),
  hostileString,
);

/** Bodies: malformed JSON, valid JSON of the wrong shape or types, known fields with hostile values, raw junk. */
const KNOWN_FIELDS = ['id', 'type', 'displayName', 'baseUrl', 'apiUrl', 'clientId', 'clientSecret', 'scopes', 'pkce', 'name', 'expiresInDays', 'protocol', 'host', 'path', 'consumerKey', '__proto__', 'constructor'];
const fieldValue = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(hostileString, { maxLength: 3 }), fc.object({ maxDepth: 2 }));
export const body = fc.oneof(
  fc.constantFrom('{', '{"a":', '[1,', '{"name": "x",}', 'nul', '\u0000', '{"a":1}{"b":2}', '"\\ud800"', '1e99999', '{"__proto__":{"admin":true}}'),
  fc.json({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), fieldValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
  fc.array(fc.tuple(fc.constantFrom('protocol', 'host', 'path', 'username', 'url'), hostileString), { maxLength: 4 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join('\n')),
  hostileString,
  hugeBody,
);

/**
 * fc.assert, with a short report: a shrunk counterexample holding an 8 KB string would
 * otherwise fill the log. The seed and path in the message replay the case.
 */
export async function assertProperty<T>(prop: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(prop, { ...params, endOnFailure: true });
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const text = `${(e as Error).message}\nCause: ${cause instanceof Error ? cause.message : String(cause)}`.replace(/(.)\1{40,}/g, (run, ch: string) => `${ch}×${run.length}`);
    throw new Error(text.length > 6000 ? `${text.slice(0, 3000)}\n…\n${text.slice(-3000)}` : text);
  }
}

/** The error contract (docs/ARCHITECTURE.md §7 "Errors"): `{ error: { code, message } }`. */
export const errorBody = z.looseObject({
  error: z.looseObject({ code: z.string().check(z.regex(/^[a-z][a-z0-9_]{1,63}$/)), message: z.string().check(z.minLength(1), z.maxLength(2000)) }),
});

export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * What every answer must satisfy, whatever the request: no 5xx; every error is the JSON
 * contract; no markup comes back raw outside JSON; a redirect stays on the UI's origin.
 */
export function checkAnswer(a: Answer, origin: string): void {
  expect(a.status).toBeLessThan(500);
  const type = (a.headers['content-type'] ?? '').toLowerCase();
  if (a.status >= 400) {
    expect(type).toMatch(/^application\/json/);
    const parsed = errorBody.safeParse(JSON.parse(a.body));
    if (!parsed.success) throw new Error(`error body off contract: ${a.body.slice(0, 300)}`);
  }
  if (type.startsWith('application/json') && a.body) JSON.parse(a.body); // reflected input stays a JSON string
  else for (const m of MARKUP) expect(a.body).not.toContain(m);
  const location = a.headers.location;
  if (a.status >= 300 && a.status < 400) {
    expect(location).toBeDefined();
    // Browsers resolve `/\evil`, `//evil` and tabs the WHATWG way: so does URL.
    expect(new URL(location!, origin).origin).toBe(origin);
    expect(location!.startsWith(`${origin}/`)).toBe(true);
    for (const m of MARKUP) expect(location).not.toContain(m);
  }
  for (const [name, value] of Object.entries(a.headers)) {
    expect({ name, crlf: /[\r\n]/.test(value ?? '') }).toEqual({ name, crlf: false });
  }
}
