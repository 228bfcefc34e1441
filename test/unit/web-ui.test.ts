/**
 * The web UI's pure logic (web/src): what an arriving address asks for, and a
 * human message for every error code the OAuth callback can send back.
 */
import { intentFrom, isSignInCallback } from '../../web/src/auth';
import { linkErrorMessage, rotationBanner, unlinkStep } from '../../web/src/messages';

const at = (path: string) => new URL(path, 'https://git.example.com');

describe('arrivals', () => {
  test('the identity provider answer is a sign-in callback; a link result is not', () => {
    expect(isSignInCallback(at('/?code=abc&state=xyz'))).toBe(true);
    expect(isSignInCallback(at('/?error=access_denied&state=xyz'))).toBe(true);
    expect(isSignInCallback(at('/?error=access_denied&provider=github'))).toBe(false);
    expect(isSignInCallback(at('/?linked=github'))).toBe(false);
  });

  test('?linked= and ?error= become a notice; the query is not kept', () => {
    expect(intentFrom(at('/?linked=github&warning=ssh_key_failed'))).toEqual({ returnTo: '/', notice: { linked: 'github', warning: 'ssh_key_failed' } });
    expect(intentFrom(at('/?error=browser_mismatch&provider=gitlab#/admin'))).toEqual({ returnTo: '/#/admin', notice: { error: 'browser_mismatch', provider: 'gitlab' } });
  });

  test('the deep link /link/{providerId} becomes a link to start, back on /', () => {
    expect(intentFrom(at('/link/github-com'))).toEqual({ returnTo: '/', link: 'github-com' });
    expect(intentFrom(at('/link/%E2%9C%93'))).toEqual({ returnTo: '/', link: '✓' });
    expect(intentFrom(at('/link/%E0%A4%A'))).toEqual({ returnTo: '/', link: '%E0%A4%A' });
  });
});

describe('a human message for every callback error code', () => {
  const codes = [
    'access_denied', 'invalid_state', 'browser_mismatch', 'unknown_provider', 'exchange_failed', 'identity_failed',
    'account_mismatch', 'link_conflict', 'provider_timeout', 'provider_unreachable', 'provider_unavailable',
    'provider_error', 'invalid_request', 'internal',
  ];
  const generic = linkErrorMessage('no_such_code', 'GitHub');

  test.each(codes)('%s has its own message', (code) => {
    const msg = linkErrorMessage(code, 'GitHub');
    expect(msg).not.toBe(generic);
    expect(msg).not.toContain(code);
    expect(msg).toMatch(/\.$/);
  });

  test('an unknown code gets a generic message naming it', () => {
    expect(generic).toContain('no_such_code');
  });

  test('unlink steps read as sentences', () => {
    expect(unlinkStep('sshKey', 'ok')).toBe('SSH key removed from the provider: done.');
    expect(unlinkStep('token', 'failed', 'GitHub answered 502')).toContain('failed (GitHub answered 502)');
    expect(unlinkStep('token', 'unsupported')).toContain('not supported');
  });
});

describe('the banner after an SSH key rotation', () => {
  const key = { publicKey: 'ssh-ed25519 AAAA', fingerprint: 'SHA256:x' };

  test('an old key that could not be deleted is a warning naming the provider, never "old key removed"', () => {
    const b = rotationBanner({
      ...key,
      rotated: true,
      providers: [
        { providerId: 'github', status: 'rotated' },
        { providerId: 'gitlab', status: 'old_key_kept', error: 'The provider refused to delete the SSH key (HTTP 500).' },
      ],
    });
    expect(b.kind).toBe('warning');
    expect(b.title).toBe('SSH key rotated, but the old key is still registered at gitlab');
    expect(b.lines[1]).toContain('could not be removed and still works there');
    expect(b.lines[1]).toContain('HTTP 500');
    expect(b.lines[1]).not.toContain('old key removed');
    expect(b.lines[0]).toBe('github: new key registered, old key removed.');
  });

  test('a clean rotation is a success; a refused one an error', () => {
    expect(rotationBanner({ ...key, rotated: true, providers: [{ providerId: 'github', status: 'rotated' }] })).toMatchObject({ kind: 'success', title: 'SSH key rotated' });
    expect(rotationBanner({ ...key, rotated: false, providers: [{ providerId: 'github', status: 'failed' }] }).kind).toBe('error');
  });
});
