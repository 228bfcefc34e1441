/**
 * RFC 5849 signatures, two ways: gitlink's (shared/providers/oauth1.ts, built on oauth-1.0a)
 * and the fake Bitbucket Server's own code (test/providers/bitbucket-server/oauth1-verify.ts).
 * Both must reproduce the RFC's worked example, and each must accept what the other signs.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { authorizationHeader, baseStringUri, signatureBaseString } from '@shared/providers/oauth1';
import * as rfc from '../providers/bitbucket-server/oauth1-verify';

/** RFC 5849 §3.4.1.1, verbatim (the line breaks there are "for display purposes only"). */
const RFC_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7';

/** The example request's Authorization header, as printed in §3.4.1.1. */
const RFC_AUTHORIZATION =
  'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", ' +
  'oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", ' +
  'oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"';

const RFC_PROTOCOL_PARAMS = {
  oauth_consumer_key: '9djdj82h48djs9d2',
  oauth_token: 'kkk9d7dh3k39sjv7',
  oauth_signature_method: 'HMAC-SHA1',
  oauth_timestamp: '137131201',
  oauth_nonce: '7d8f3e4a',
};

const rsaKeys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(), priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};
const keys = rsaKeys();

/** What the fake computes for a request gitlink would send to `url` with `header`. */
function fakeBaseString(method: string, url: string, header: string, contentType?: string, body = '') {
  const u = new URL(url);
  return rfc.signatureBaseString({
    method, scheme: u.protocol.slice(0, -1), host: u.host, path: u.pathname, rawQuery: u.search.slice(1),
    headerParams: rfc.parseAuthorizationHeader(header)!, contentType, body,
  });
}
const fakeVerifies = (method: string, url: string, header: string, pub: string, contentType?: string, body = '') =>
  rfc.verifyRsaSha1(fakeBaseString(method, url, header, contentType, body), rfc.parseAuthorizationHeader(header)!.find(([n]) => n === 'oauth_signature')![1], pub);

describe('RFC 5849 §3.4.1.1 worked example (the HMAC example; the base string does not depend on the method)', () => {
  test('the fake\'s own implementation reproduces it from the raw HTTP request', () => {
    expect(
      rfc.signatureBaseString({
        method: 'POST', scheme: 'http', host: 'example.com', path: '/request', rawQuery: 'b5=%3D%253D&a3=a&c%40=&a2=r%20b',
        headerParams: rfc.parseAuthorizationHeader(RFC_AUTHORIZATION)!, contentType: 'application/x-www-form-urlencoded', body: 'c2&a3=2+q',
      }),
    ).toBe(RFC_BASE_STRING);
  });

  test('gitlink (oauth-1.0a via oauth1.ts) reproduces it, with `a3` in both query and body kept twice', () => {
    const form = Object.fromEntries(new URLSearchParams('c2&a3=2+q'));
    expect(signatureBaseString({ method: 'POST', url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', form }, RFC_PROTOCOL_PARAMS)).toBe(RFC_BASE_STRING);
  });

  test('§3.4.1.3.1 decoded parameters: b5 is "=%3D", c@ and c2 are empty, "+" is a space', () => {
    expect(rfc.parseForm('b5=%3D%253D&a3=a&c%40=&a2=r%20b')).toEqual([['b5', '=%3D'], ['a3', 'a'], ['c@', ''], ['a2', 'r b']]);
    expect(rfc.parseForm('c2&a3=2+q')).toEqual([['c2', ''], ['a3', '2 q']]);
  });
});

describe('RFC 5849 §3.4.1.2 base string URI', () => {
  test.each([
    ['http://EXAMPLE.COM:80/r%20v/X?id=123', 'http://example.com/r%20v/X'],
    ['https://www.example.net:8080/?q=1', 'https://www.example.net:8080/'],
    ['https://bitbucket.example.com:443/plugins/servlet/oauth/request-token', 'https://bitbucket.example.com/plugins/servlet/oauth/request-token'],
  ])('%s → %s (both implementations)', (url, expected) => {
    expect(baseStringUri(url)).toBe(expected);
    const u = new URL(url.replace(/:\/\/[^/]+/, '://x')); // the fake sees scheme, Host header and path separately
    const host = /:\/\/([^/]+)/.exec(url)![1]!;
    expect(rfc.baseStringUri(url.split(':')[0]!, host, u.pathname)).toBe(expected);
  });
});

describe('RFC 5849 §3.4.3 RSA-SHA1: what gitlink signs, the fake verifies', () => {
  const url = 'http://127.0.0.1:7990/plugins/servlet/oauth/request-token';

  test('a request-token request (oauth_callback signed) verifies against the public key', () => {
    const header = authorizationHeader({ method: 'POST', url }, { consumerKey: 'gitlink', privateKeyPem: keys.priv, extra: { oauth_callback: 'http://localhost:8787/oauth/callback' } });
    expect(header).toMatch(/^OAuth oauth_callback="http%3A%2F%2Flocalhost%3A8787%2Foauth%2Fcallback", oauth_consumer_key="gitlink", oauth_nonce="[0-9a-f]{32}", oauth_signature="[^"]+", oauth_signature_method="RSA-SHA1", oauth_timestamp="\d+", oauth_version="1.0"$/);
    expect(fakeVerifies('POST', url, header, keys.pub)).toBe(true);
  });

  test('another key, another method, another URL or a tampered parameter does not verify', () => {
    const header = authorizationHeader({ method: 'GET', url: `${url}?a=1` }, { consumerKey: 'gitlink', privateKeyPem: keys.priv, extra: { oauth_token: 'tok' } });
    expect(fakeVerifies('GET', `${url}?a=1`, header, keys.pub)).toBe(true);
    expect(fakeVerifies('GET', `${url}?a=1`, header, rsaKeys().pub)).toBe(false);
    expect(fakeVerifies('POST', `${url}?a=1`, header, keys.pub)).toBe(false);
    expect(fakeVerifies('GET', `${url}?a=2`, header, keys.pub)).toBe(false);
    expect(fakeVerifies('GET', `${url}?a=1`, header.replace('oauth_token="tok"', 'oauth_token="tok2"'), keys.pub)).toBe(false);
  });

  test('fixed time and nonce give the same signature (PKCS#1 v1.5 is deterministic)', () => {
    const o = { consumerKey: 'gitlink', privateKeyPem: keys.priv, now: 1_700_000_000_000, nonce: 'n1' };
    expect(authorizationHeader({ method: 'GET', url }, o)).toBe(authorizationHeader({ method: 'GET', url }, o));
    expect(authorizationHeader({ method: 'GET', url }, o)).toContain('oauth_timestamp="1700000000"');
  });
});

describe('RFC 5849 §3.4.1.3.1: only a form-encoded body enters the base string', () => {
  const url = 'http://127.0.0.1:7990/rest/ssh/1.0/keys';
  const json = JSON.stringify({ text: 'ssh-ed25519 AAAA k', label: 'gitlink' });

  test('a JSON body signed without parameters (as oauth1.ts does for REST calls) verifies', () => {
    const header = authorizationHeader({ method: 'POST', url }, { consumerKey: 'gitlink', privateKeyPem: keys.priv, extra: { oauth_token: 't' } });
    expect(fakeVerifies('POST', url, header, keys.pub, 'application/json', json)).toBe(true);
  });

  test('a JSON body wrongly signed as parameters (passing `data` to oauth-1.0a) is refused', () => {
    const header = authorizationHeader({ method: 'POST', url, form: JSON.parse(json) }, { consumerKey: 'gitlink', privateKeyPem: keys.priv, extra: { oauth_token: 't' } });
    expect(fakeVerifies('POST', url, header, keys.pub, 'application/json', json)).toBe(false);
  });

  test('a form body must be signed, and then verifies', () => {
    const body = 'label=my+key&text=a%26b';
    const form = Object.fromEntries(new URLSearchParams(body));
    const signed = authorizationHeader({ method: 'POST', url, form }, { consumerKey: 'gitlink', privateKeyPem: keys.priv });
    const unsigned = authorizationHeader({ method: 'POST', url }, { consumerKey: 'gitlink', privateKeyPem: keys.priv });
    expect(fakeVerifies('POST', url, signed, keys.pub, 'application/x-www-form-urlencoded', body)).toBe(true);
    expect(fakeVerifies('POST', url, unsigned, keys.pub, 'application/x-www-form-urlencoded', body)).toBe(false);
  });
});

describe('the two implementations agree on any parameters (fast-check)', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 12 });
  // A few fixed names make repeated names (within the query, and across query and body) common.
  const name = fc.oneof(fc.constantFrom('a', 'a3', 'c@', 'b 5', '~x'), text);
  test('query and form parameters, repeated names, unicode and reserved characters', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, text), { maxLength: 6 }), fc.array(fc.tuple(name, text), { maxLength: 6 }), (query, form) => {
        fc.pre(![...query, ...form].some(([n]) => n === '__proto__')); // refused outright, see below
        const q = new URLSearchParams(query).toString();
        const formBody = new URLSearchParams(form).toString();
        // oauth1.ts takes form fields as a record: repeated form names are not a case gitlink sends.
        const formRecord = Object.fromEntries(new URLSearchParams(formBody));
        const normalizedBody = new URLSearchParams(formRecord).toString();
        const url = `https://bitbucket.example.com/p/a th?${q}`;
        const ours = signatureBaseString({ method: 'post', url, form: formRecord }, RFC_PROTOCOL_PARAMS);
        const header = `OAuth ${Object.entries(RFC_PROTOCOL_PARAMS).map(([k, v]) => `${k}="${rfc.percentEncode(v)}"`).join(', ')}`;
        const theirs = fakeBaseString('POST', url, header, 'application/x-www-form-urlencoded', normalizedBody);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  test('a parameter named __proto__ is refused rather than silently left out of the signature', () => {
    expect(() => signatureBaseString({ method: 'GET', url: 'https://x.example/?__proto__=1' }, RFC_PROTOCOL_PARAMS)).toThrow(/__proto__/);
  });
});
