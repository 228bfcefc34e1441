/**
 * The words a 400 uses: zod/mini loads no locale of its own (every message would be a bare
 * "Invalid input"), so shared/zod.ts loads English. These are the messages users read, as
 * `field: message` (shared/http/validate.ts) and in the configuration error of a cold start.
 */
import { loadConfig } from '@shared/config';
import { AppError } from '@shared/errors';
import { parseInput } from '@shared/http/validate';
import { credentialRequest } from '@shared/env/request';
import { createTokenInput } from '@shared/env/manage';
import { providerInputSchemas } from '@shared/admin/provider-input';

const aws = { GITLINK_MODE: 'aws', ALLOW_HTTP_LOOPBACK: false } as const;

function refusal(run: () => unknown): { message: string; field: unknown } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { message: (e as AppError).message, field: (e as AppError).extra?.field };
  }
  throw new Error('accepted');
}

test.each([
  ['a name too long', () => parseInput(createTokenInput, { name: 'x'.repeat(65) }), 'name: Too big: expected string to have <=64 characters', 'name'],
  ['a blank name (trimmed first)', () => parseInput(createTokenInput, { name: '   ' }), 'name: Too small: expected string to have >=1 characters', 'name'],
  ['a fractional lifetime', () => parseInput(createTokenInput, { name: 'laptop', expiresInDays: 1.5 }), 'expiresInDays: Invalid input: expected int, received number', 'expiresInDays'],
  ['a key the strict object does not know', () => parseInput(createTokenInput, { name: 'laptop', secret: 's' }), 'secret: Unrecognized key: "secret"', 'secret'],
  ['a protocol git does not ask for', () => parseInput(credentialRequest, { protocol: 'ftp', host: 'gitlab.com' }), 'protocol: Invalid option: expected one of "https"|"http"', 'protocol'],
  ['a missing host', () => parseInput(credentialRequest, { protocol: 'https' }), 'host: Invalid input: expected string, received undefined', 'host'],
  ['our own message on a pattern', () => parseInput(credentialRequest, { protocol: 'https', host: 'bad_host' }), 'host: must be hostname[:port]', 'host'],
  ['our own message from a transform', () => parseInput(providerInputSchemas(aws).create, { id: 'gl', type: 'gitlab', baseUrl: 'http://gitlab.example.com' }), 'baseUrl: must use https', 'baseUrl'],
  ['too many scopes', () => parseInput(providerInputSchemas(aws).update, { scopes: Array.from({ length: 33 }, (_, i) => `s${i}`) }), 'scopes: Too big: expected array to have <=32 items', 'scopes'],
])('%s', (_name, run, message, field) => {
  expect(refusal(run)).toEqual({ message, field });
});

test('an invalid configuration names the variable and the problem', () => {
  expect(() => loadConfig({ GITLINK_CRYPTO: 'embedded', PUBLIC_URL: 'not a url', PROVIDER_TIMEOUT_MS: '-5' })).toThrow(
    'gitlink configuration is invalid: PUBLIC_URL: Invalid URL; PROVIDER_TIMEOUT_MS: Too small: expected number to be >0',
  );
});
