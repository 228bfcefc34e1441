/**
 * One jest config for every tier (test/unit, test/integration, test/e2e, test/infra).
 * The project is CommonJS TypeScript; middy and jose are ESM-only, so swc transforms
 * them too (decided once, here, in the spine).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // The `@shared/*` import alias of tsconfig.json (tsx and esbuild read it from there).
  moduleNameMapper: { '^@shared/(.*)$': '<rootDir>/shared/$1' },
  testMatch: ['**/*.test.ts'],
  // The deployed tier needs a synthesized cdk.out: `npm run test:deployed` runs it (test/deployed/run.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/deployed/'],
  transform: { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
