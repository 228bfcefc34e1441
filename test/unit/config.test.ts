/** Every setting is read in shared/config.ts, once; the logger's level too. */
import { loadConfig, logLevel } from '@shared/config';
import { readSource, sourceFiles } from '../support/sources';

/**
 * The one other reader of the environment: the AWS credentials Lambda sets for the function
 * role. They are secrets of the runtime, not gitlink settings, and must never sit in the
 * config object (which a log line could print).
 */
const allowed = new Set(['shared/config.ts', 'shared/aws/lambda-credentials.ts']);

test('no module of shared/ or functions/ reads process.env but config.ts', () => {
  const readers = sourceFiles(['shared', 'functions']).filter((f) => !allowed.has(f) && /process\.env\b/.test(readSource(f)));
  expect(readers).toEqual([]);
});

test('LOG_LEVEL: read with the config schema; an invalid value logs at INFO and fails the config', () => {
  expect(logLevel({ LOG_LEVEL: 'DEBUG' })).toBe('DEBUG');
  expect(logLevel({})).toBe('INFO');
  expect(logLevel({ LOG_LEVEL: 'LOUD' })).toBe('INFO');
  expect(() => loadConfig({ GITLINK_CRYPTO: 'embedded', LOG_LEVEL: 'LOUD' })).toThrow(/LOG_LEVEL/);
});
