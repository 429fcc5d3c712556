/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // jose (the JWT verifier's library) ships ES modules only: the same transform makes them CommonJS for jest.
  transform: { '^.+\\.ts$': '<rootDir>/test/esbuild-transform.js', '/node_modules/jose/.+\\.js$': '<rootDir>/test/esbuild-transform.js' },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // js first: ali-oss ships .ts sources beside its .js build, and only the .js is CommonJS.
  moduleFileExtensions: ['js', 'ts', 'json'],
  testTimeout: 30000,
  // The transform cache lives with the dependencies, not in the system temp folder (a test run leaves none behind).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
