// The jest configuration Stryker runs (stryker.config.mjs): the project's own, without the suites that cannot kill a
// mutant of the deciding modules faster than the rest and only cost minutes per run.
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
    '/test/local-stack/(browser|uppy|npm-start)\\.test\\.ts$',
    '/test/load/',
    '/test/fuzz/',
    '/test/docs/',
    // Source scans and bundle builds: they read the instrumented sources as text, which is not what they check.
    '/test/deploy/',
  ],
  globalTeardown: '<rootDir>/test/mutation/global-teardown.js',
};
