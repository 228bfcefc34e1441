/**
 * Environment token format (ARCHITECTURE.md §3 step 3): `glk_<base64url(userId)>_<tokenId>_<secret>`,
 * parsed from the right because base64url may itself contain `_`.
 */
import fc from 'fast-check';
import {
  bearerToken, formatEnvToken, hashSecret, newSecret, newTokenId, parseEnvToken, secretMatches, splitEnvToken, SECRET_LENGTH, TOKEN_ID_LENGTH,
} from '@shared/env/token';

const userId = fc.stringMatching(/^[A-Za-z0-9@._:+|-]{1,128}$/);
const base62 = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`));

describe('format and parse', () => {
  test('round-trips every valid userId, tokenId and secret', () => {
    fc.assert(
      fc.property(userId, base62(TOKEN_ID_LENGTH), base62(SECRET_LENGTH), (u, t, s) => {
        const token = formatEnvToken({ userId: u, tokenId: t, secret: s });
        expect(token.startsWith('glk_')).toBe(true);
        expect(parseEnvToken(token)).toEqual({ userId: u, tokenId: t, secret: s });
      }),
      { numRuns: 500 },
    );
  });

  test('parses from the right: `_` inside the base64url userId does not confuse the split', () => {
    const user64 = Buffer.from([0xfb, 0xff, 0xbf, 0x41]).toString('base64url');
    expect(user64).toContain('_');
    const tokenId = newTokenId();
    const secret = newSecret();
    expect(splitEnvToken(`glk_${user64}_${tokenId}_${secret}`)).toEqual({ user64, tokenId, secret });
    expect(splitEnvToken(`glk__${tokenId}_${secret}`)).toBeUndefined();
  });

  test('generated ids and secrets use an alphabet without `_`', () => {
    for (let i = 0; i < 200; i++) {
      expect(newTokenId()).toMatch(new RegExp(`^[A-Za-z0-9]{${TOKEN_ID_LENGTH}}$`));
      expect(newSecret()).toMatch(new RegExp(`^[A-Za-z0-9]{${SECRET_LENGTH}}$`));
    }
    expect(new Set(Array.from({ length: 100 }, newSecret)).size).toBe(100);
  });

  test.each([
    ['empty', ''],
    ['another prefix', 'ghp_abc'],
    ['nothing after the prefix', 'glk_'],
    ['no secret', `glk_YWxpY2U_${'a'.repeat(TOKEN_ID_LENGTH)}`],
    ['short token id', `glk_YWxpY2U_${'a'.repeat(TOKEN_ID_LENGTH - 1)}_${'b'.repeat(SECRET_LENGTH)}`],
    ['short secret', `glk_YWxpY2U_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH - 1)}`],
    ['secret outside base62', `glk_YWxpY2U_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH - 1)}-`],
    ['empty userId', `glk__${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH)}`],
    ['padded base64', `glk_YWxpY2U=_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH)}`],
    ['non-canonical base64url', `glk_YWxpY2V_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH)}`],
    ['userId outside the allowed set', `glk_${Buffer.from('bad user').toString('base64url')}_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH)}`],
    ['too long', `glk_${'A'.repeat(600)}_${'a'.repeat(TOKEN_ID_LENGTH)}_${'b'.repeat(SECRET_LENGTH)}`],
  ])('refuses: %s', (_label, token) => {
    expect(parseEnvToken(token)).toBeUndefined();
  });

  test('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 700 }), (s) => {
      parseEnvToken(s);
      parseEnvToken(`glk_${s}`);
    }), { numRuns: 1000 });
  });
});

describe('secret hash: only sha256(secret) is stored, compared in constant time', () => {
  test('matches its own hash, and nothing else', () => {
    const s = newSecret();
    expect(hashSecret(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches(s, hashSecret(s))).toBe(true);
    expect(secretMatches(newSecret(), hashSecret(s))).toBe(false);
    expect(secretMatches(s, '')).toBe(false);
    expect(secretMatches(s, 'zz')).toBe(false);
  });
});

describe('bearer header (RFC 6750 §2.1)', () => {
  test.each([
    ['Bearer glk_x', 'glk_x'],
    ['bearer glk_x', 'glk_x'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, want) => {
    expect(bearerToken(header)).toBe(want);
  });
});
