/**
 * The deployed tier's own jest config: run by test/deployed/run.ts (`npm run test:deployed`),
 * never by `npm test`, because it needs the synthesized cdk.out and the issuer run.ts starts.
 */
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/deployed'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 120000,
  maxWorkers: 1,
};
