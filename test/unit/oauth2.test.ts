/** The shared OAuth 2.0 token-answer parser, against the shapes real providers send. */
import { parseTokenAnswer, buildAuthorizeUrl } from '@shared/providers/oauth2';
import { ProviderError, type ProviderResponse } from '@shared/providers/http';
import type { ProviderContext } from '@shared/providers/types';

const answer = (status: number, body: string, type: string): ProviderResponse => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers: new Headers({ 'content-type': type }), text: body, json };
};

describe('RFC 6749 §5.1 token answers', () => {
  test('JSON with expiry and refresh token', () => {
    const t = parseTokenAnswer(
      answer(200, JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 7200, refresh_token: 'rt', scope: 'api read_user' }), 'application/json'),
      1_000,
    );
    expect(t).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresAt: 1_000 + 7_200_000, scopes: ['api', 'read_user'] });
  });

  test('Provider deviation: GitHub answers form-encoded by default, with comma-separated scopes', () => {
    const t = parseTokenAnswer(answer(200, 'access_token=gho_abc&scope=repo%2Cadmin%3Apublic_key&token_type=bearer', 'application/x-www-form-urlencoded; charset=utf-8'));
    expect(t).toEqual({ accessToken: 'gho_abc', scopes: ['repo', 'admin:public_key'] });
  });

  test('Provider deviation: GitHub reports errors with HTTP 200', () => {
    const e = (() => {
      try {
        parseTokenAnswer(answer(200, 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.', 'application/x-www-form-urlencoded'));
      } catch (err) {
        return err;
      }
    })() as ProviderError;
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.oauthError).toBe('bad_verification_code');
    expect(e.transient).toBe(false);
  });

  test('RFC 6749 §5.2 errors with HTTP 400 JSON', () => {
    expect(() => parseTokenAnswer(answer(400, '{"error":"invalid_grant","error_description":"revoked"}', 'application/json'))).toThrow(
      expect.objectContaining({ oauthError: 'invalid_grant', kind: 'refused' }),
    );
  });

  test('5xx and 429 are transient', () => {
    for (const status of [500, 502, 503, 429]) {
      expect(() => parseTokenAnswer(answer(status, '<html>oops</html>', 'text/html'))).toThrow(expect.objectContaining({ kind: 'transient' }));
    }
  });

  test('an answer without an access token is refused', () => {
    expect(() => parseTokenAnswer(answer(200, '{"token_type":"bearer"}', 'application/json'))).toThrow(ProviderError);
  });

  test('a non-bearer token type is refused (RFC 6749 §7.1)', () => {
    expect(() => parseTokenAnswer(answer(200, '{"access_token":"x","token_type":"mac"}', 'application/json'))).toThrow(ProviderError);
  });
});

describe('RFC 6749 §4.1.1 authorization request', () => {
  const ctx = {
    config: { clientId: 'cid', scopes: ['repo', 'read:user'] },
    callbackUrl: 'https://git.example.com/oauth/callback',
  } as unknown as ProviderContext;

  test('carries response_type, client_id, redirect_uri, scope, state and the S256 challenge', () => {
    const url = new URL(buildAuthorizeUrl({ authorizeUrl: 'https://github.com/login/oauth/authorize', tokenUrl: '', clientAuth: 'body', refreshNeedsRedirectUri: false }, ctx, { state: 'st', codeChallenge: 'ch' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'https://git.example.com/oauth/callback',
      scope: 'repo read:user',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });
});
