// Jest transform for the TypeScript sources and tests, built on esbuild (already the project's bundler).
// @swc/jest was the first choice, but its platform binaries are not all on the registry this project installs
// from, which leaves a package-lock that `npm ci` refuses on a clean machine.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync, version } = require('esbuild');

// Jest caches transformed files: the key must change when this transform or esbuild does.
const SELF = createHash('sha256').update(readFileSync(__filename)).update(version).digest('hex');

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      // Jest runs CommonJS in a vm context where a native import() needs --experimental-vm-modules.
      supported: { 'dynamic-import': false },
      sourcefile: filename,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
