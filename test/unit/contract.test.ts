/**
 * The contract (shared/contract/): the error-code list is closed (every code the source throws,
 * answers or compares against is in it, and each code's status and message come from it), and
 * the provider-type catalog agrees with the provider implementations.
 */
import { errorCodes, errorMessage, isErrorCode, type ErrorCode } from '@shared/contract/errors';
import { AppError, badRequest, conflict, notFound, toErrorResponse } from '@shared/errors';
import { defaultPkce, describeType, needsClientSecret, providerType, providerTypes, usesSigningKey } from '@shared/contract/provider-types';
import { providerFor, supportedTypes } from '@shared/providers';
import type { Answers } from '@shared/contract/api';
import type { RouteKey } from '@shared/routes';
import { readSource, sourceFiles } from '../support/sources';

/**
 * Where a code appears in source: thrown (`new AppError('x'`, `badRequest('x'`, a provider
 * failure's second argument, a link failure), answered raw (`code: 'x'`), or compared with an
 * answer's code (`code === 'x'`, in the CLI and the UI, which TypeScript cannot check).
 */
const usePatterns: RegExp[] = [
  /new (?:AppError|LinkFailure)\(\s*'([a-z0-9_]+)'/g,
  /new ProviderError\(\s*[^,]+,\s*'([a-z0-9_]+)'/g,
  /\b(?:badRequest|notFound|conflict)\(\s*'([a-z0-9_]+)'/g,
  /\bcode: '([a-z0-9_]+)'/g,
  /\bcode [!=]== '([a-z0-9_]+)'/g,
  /\bfailureCode\([^,]+,\s*'([a-z0-9_]+)'/g,
];

/** Codes that are not error codes although they match a pattern: zod's issue kinds. */
const notErrorCodes = new Set(['custom', 'unrecognized_keys']);

function codesUsedIn(text: string): string[] {
  const found: string[] = [];
  for (const re of usePatterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found.filter((c) => !notErrorCodes.has(c));
}

describe('the error-code list', () => {
  const files = sourceFiles(['shared', 'functions', 'local', 'cli', 'web/src']).filter((f) => f !== 'shared/contract/errors.ts');
  const uses = files.flatMap((file) => codesUsedIn(readSource(file)).map((code) => ({ file, code })));

  test('the scan finds the codes the source uses (it is not vacuous)', () => {
    const seen = new Set(uses.map((u) => u.code));
    // One of each kind of use, checked by hand against the source.
    for (const code of ['invalid_json', 'provider_exists', 'browser_mismatch', 'ssh_key_in_use', 'no_provider', 'exchange_failed']) {
      expect(seen).toContain(code);
    }
  });

  test('every code thrown, answered or compared in the source is in the list', () => {
    expect(uses.filter((u) => !isErrorCode(u.code))).toEqual([]);
  });

  test('the scan catches a code that is not in the list', () => {
    expect(codesUsedIn("throw new AppError('made_up_code');\nif (e.code === 'other_made_up') {}").filter((c) => !isErrorCode(c))).toEqual([
      'made_up_code',
      'other_made_up',
    ]);
  });

  test('every entry is an error status with a sentence for a human', () => {
    for (const [code, spec] of Object.entries(errorCodes)) {
      expect([code, spec.status >= 400 && spec.status <= 599]).toEqual([code, true]);
      expect(errorMessage(code as ErrorCode, 'GitHub')).toMatch(/^[A-Z`].*[.)]$/);
      expect(errorMessage(code as ErrorCode, 'GitHub')).not.toContain('{');
    }
  });
});

describe('AppError reads the list', () => {
  test('status comes from the code', () => {
    expect(new AppError('ssh_only').status).toBe(409);
    expect(badRequest('invalid_request', 'name: required', { field: 'name' }).status).toBe(400);
    expect(notFound('token_not_found').status).toBe(404);
    expect(conflict('too_many_tokens').status).toBe(409);
    expect(new AppError('provider_unavailable').status).toBe(502);
  });

  test('the message defaults to the list, with "the provider" for an unnamed one', () => {
    expect(new AppError('installer_missing').message).toBe('The installer is not part of this deployment.');
    expect(errorMessage('provider_timeout')).toBe('The provider did not answer in time. Try again in a moment.');
    expect(errorMessage('provider_timeout', 'GitLab')).toBe('GitLab did not answer in time. Try again in a moment.');
  });

  test('an answer carries the code, the message and the extra fields', () => {
    expect(toErrorResponse(badRequest('invalid_request', 'name: required', { field: 'name' }))).toEqual({
      status: 400,
      body: { field: 'name', error: { field: 'name', code: 'invalid_request', message: 'name: required' } },
    });
    expect(toErrorResponse(new Error('secret detail'))).toEqual({
      status: 500,
      body: { error: { code: 'internal', message: 'Something went wrong on our side. Try again in a moment.' } },
    });
  });
});

describe('the provider-type catalog', () => {
  test('every type has an implementation, and the admin API accepts exactly the catalog types', () => {
    expect(supportedTypes().sort()).toEqual([...providerTypes].sort());
  });

  test.each(providerTypes)('%s: the implementation does what the catalog says', async (type) => {
    const info = providerType(type);
    const impl = providerFor(type);
    expect(info.type).toBe(type);
    expect(info.capabilities.gitHttps).toBe(info.gitUsername !== undefined);
    expect(info.capabilities.refresh).toBe(impl.refresh !== undefined);
    // An OAuth 1.0a consumer signs with its RSA key; OAuth 2.0 clients hold a secret.
    expect(info.credential).toBe(impl.protocol === 'oauth1' ? 'rsa-signing-key' : 'client-secret');
    expect(needsClientSecret(type)).toBe(info.fields.some((f) => f.name === 'clientSecret'));
    if (!info.capabilities.tokenRevocation) {
      // No revocation API: the implementation says so without calling anything, and the UI has the by-hand path.
      await expect(impl.revoke({} as never, { accessToken: 'x' })).resolves.toBe('unsupported');
      expect(info.hints.revokeByHand).toMatch(/→/);
    }
  });

  test('PKCE defaults: github.com only for GitHub, on for GitLab, off for Bitbucket Cloud', () => {
    expect(defaultPkce('github', 'https://github.com')).toBe(true);
    expect(defaultPkce('github', 'https://github.example.com')).toBe(false);
    expect(defaultPkce('gitlab', 'https://gitlab.example.com')).toBe(true);
    expect(defaultPkce('bitbucket-cloud', 'https://bitbucket.org')).toBe(false);
  });

  test('a type a client does not know is shown by its name, assuming nothing', () => {
    expect(describeType('gitea')).toMatchObject({ label: 'gitea', fields: [], capabilities: { gitHttps: false } });
    expect(usesSigningKey('gitea')).toBe(false);
  });
});

describe('the answer types', () => {
  test('Answers names every route of the route table, and nothing else', () => {
    // Compile-time: a route without an entry, or an entry without a route, fails `tsc`.
    const missing: [Exclude<RouteKey, keyof Answers>] extends [never] ? true : false = true;
    const extra: [Exclude<keyof Answers, RouteKey>] extends [never] ? true : false = true;
    expect([missing, extra]).toEqual([true, true]);
  });
});
