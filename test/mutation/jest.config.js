// The jest configuration Stryker runs (stryker.config.mjs): the project's own, without the suites that cannot kill a
// mutant of the deciding modules faster than the rest and only cost minutes per run (docs/mutation.md).
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  // Stryker runs only the tests related to the mutated file (--findRelatedTests), which jest finds through its map of
  // the files under `roots`: the sources must be in it, or no test is related to anything.
  roots: ['<rootDir>/test', '<rootDir>/shared', '<rootDir>/functions', '<rootDir>/scripts'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    // The whole local stack, the browser, Uppy and npm start, the client against the stack, and whatever starts
    // processes (tsx scripts, built bundles, the credentials chain's CLI homes): end-to-end runs of seconds each,
    // whose decisions the handler and unit suites reach in milliseconds.
    '/test/local-stack/',
    '/test/client/(node-client|built-bundle)\\.test\\.ts$',
    '/test/credentials/default-chain\\.test\\.ts$',
    '/test/security/largest-request\\.test\\.ts$',
    '/test/load/',
    '/test/fuzz/',
    '/test/docs/',
    // Source scans and bundle builds: they read the instrumented sources as text, which is not what they check.
    '/test/deploy/',
    // The mutation tooling's own tests (the report check, the baseline): they reach no deciding module.
    '/test/mutation/',
  ],
  globalTeardown: '<rootDir>/test/mutation/global-teardown.js',
};
