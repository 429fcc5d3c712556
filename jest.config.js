/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // js first: ali-oss ships .ts sources beside its .js build, and only the .js is CommonJS.
  moduleFileExtensions: ['js', 'ts', 'json'],
  testTimeout: 30000,
};
