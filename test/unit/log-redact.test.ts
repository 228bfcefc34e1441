/** The log redaction list: a careless log call still cannot leak a credential. */
import { log, redact, REDACTED, setLogSink } from '@shared/log';

describe('redact', () => {
  test('secret-named keys are replaced at any depth', () => {
    const out = redact({
      ok: 'visible',
      nested: { access_token: 'gho_x', refreshToken: 'r', client_secret: 's', code_verifier: 'v', privateKeyCt: 'ct' },
      headers: { authorization: 'Bearer abc' },
      cookies: ['__Host-gitlink-link-gh=nonce'],
      list: [{ password: 'p' }],
    }) as Record<string, any>;
    expect(out.ok).toBe('visible');
    expect(Object.values(out.nested)).toEqual([REDACTED, REDACTED, REDACTED, REDACTED, REDACTED]);
    expect(out.headers).toBe(REDACTED);
    expect(out.cookies).toBe(REDACTED);
    expect(out.list[0].password).toBe(REDACTED);
  });

  test('token-shaped strings are masked wherever they appear', () => {
    const text = redact(
      'failed with glk_YWxpY2U_abc123_s3cr3t and gho_FAKEtokenForRedactionTest, glpat-abcdef, Bearer eyJhbGciOi.x.y and -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
    ) as string;
    for (const secret of ['glk_', 'gho_FAKE', 'glpat-abc', 'eyJhbGciOi', 'AAAA']) expect(text).not.toContain(secret);
  });

  test('errors keep name and message (masked), never their cause or response', () => {
    const err = Object.assign(new Error('upstream said Bearer abc.def'), { response: { body: 'gho_secret' } });
    const out = redact(err) as Record<string, unknown>;
    expect(out).toEqual({ name: 'Error', message: `upstream said ${REDACTED}` });
  });

  test('log.* passes every line through redact', () => {
    const lines: string[] = [];
    setLogSink((level, message, fields) => lines.push(JSON.stringify({ level, message, fields })));
    try {
      log.info('exchange with code=abc', { token: 'gho_raw', url: 'https://x/?state=1' });
    } finally {
      setLogSink(undefined);
    }
    expect(lines[0]).not.toContain('gho_raw');
    expect(lines[0]).toContain(REDACTED);
  });
});
