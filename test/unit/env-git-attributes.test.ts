/**
 * git's credential attribute format (git-credential(1) "INPUT/OUTPUT FORMAT")
 * and the credential request at the edge (zod).
 */
import fc from 'fast-check';
import { AppError } from '@shared/errors';
import { formatGitAttributes, GitAttributeError, parseGitAttributes } from '@shared/contract/git-attributes';
import { parseCredentialRequest } from '@shared/env/request';

describe('git-credential(1) INPUT/OUTPUT FORMAT', () => {
  test('key=value lines; the value may contain `=`; a blank line ends the list', () => {
    expect(parseGitAttributes('protocol=https\nhost=example.com\npath=a=b.git\n\nusername=ignored\n')).toEqual({
      protocol: 'https', host: 'example.com', path: 'a=b.git',
    });
  });
  test('end of input also ends the list', () => {
    expect(parseGitAttributes('protocol=https\nhost=h')).toEqual({ protocol: 'https', host: 'h' });
  });
  test('unrecognised attributes are discarded; a repeated key overwrites', () => {
    expect(parseGitAttributes('wwwauth[]=Basic realm="x"\ncapability[]=authtype\nhost=a\nhost=b\n')).toEqual({ host: 'b' });
  });
  test.each([
    ['NUL', 'host=a\0b\n'],
    ['CR', 'host=a\r\n'],
    ['a line without =', 'host\n'],
    ['an empty key', '=x\n'],
  ])('refuses %s', (_label, text) => {
    expect(() => parseGitAttributes(text)).toThrow(GitAttributeError);
  });
  test('format refuses values git could not read back', () => {
    expect(formatGitAttributes({ username: 'oauth2', password: 'p=q', password_expiry_utc: 1700000000, skip: undefined }))
      .toBe('username=oauth2\npassword=p=q\npassword_expiry_utc=1700000000\n');
    expect(() => formatGitAttributes({ password: 'a\nhost=evil' })).toThrow(GitAttributeError);
    expect(() => formatGitAttributes({ password: 'a\0' })).toThrow(GitAttributeError);
  });
  test('format then parse is the identity for every value git can carry', () => {
    const value = fc.string({ maxLength: 50 }).filter((v) => !/[\0\r\n]/.test(v));
    fc.assert(fc.property(value, value, (u, p) => {
      expect(parseGitAttributes(formatGitAttributes({ username: u, password: p }))).toEqual({ username: u, password: p });
    }));
  });
});

describe('POST /v1/git/credential body', () => {
  const reject = (body: unknown, kind: 'json' | 'text' | 'form' | 'none') => {
    try {
      parseCredentialRequest(body, kind);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return (e as AppError).status;
    }
    throw new Error('accepted');
  };

  test('text/plain in git format and JSON give the same request; a password sent by git is dropped', () => {
    const text = parseCredentialRequest('protocol=https\nhost=gitlab.example.com:8443\npath=g/p.git\nusername=me\npassword=old\n', 'text');
    expect(text).toEqual({ protocol: 'https', host: 'gitlab.example.com:8443', path: 'g/p.git', username: 'me' });
    expect(parseCredentialRequest({ protocol: 'https', host: 'gitlab.example.com:8443', path: 'g/p.git', username: 'me', extra: 1 }, 'json')).toEqual(text);
  });

  test.each([
    ['no host', { protocol: 'https' }],
    ['ssh protocol', { protocol: 'ssh', host: 'h' }],
    ['a newline in a value', { protocol: 'https', host: 'h', path: 'a\nb' }],
    ['NUL in a value', { protocol: 'https', host: 'h', username: 'a\0' }],
    ['a host with a path', { protocol: 'https', host: 'h/x' }],
    ['a host with credentials', { protocol: 'https', host: 'u@h' }],
    ['a non-string', { protocol: 'https', host: 7 }],
  ])('refuses %s with 400', (_label, body) => {
    expect(reject(body, 'json')).toBe(400);
  });

  test('refuses form bodies and NUL in text', () => {
    expect(reject({ protocol: 'https', host: 'h' }, 'form')).toBe(400);
    expect(reject('protocol=https\nhost=h\0\n', 'text')).toBe(400);
  });

  test('whatever the text, the parser answers a request or a 400, never a crash', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        parseCredentialRequest(s, 'text');
      } catch (e) {
        expect((e as AppError).status).toBe(400);
      }
    }), { numRuns: 500 });
  });
});
