// The teardown of mutation runs: the run's temporary folder goes, but what a test left there is not an error. A
// mutant that breaks a test can stop it before its own cleanup, and jest would then report the whole run as crashed
// instead of the mutant as killed (the ordinary suite keeps the strict check, test/global-teardown.js).
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.OSS_PRESIGN_TEST_TMPDIR;
  if (!dir) return;
  rmSync(dir, { recursive: true, force: true });
  process.env.TMPDIR = process.env.OSS_PRESIGN_TEST_OUTER_TMPDIR;
};
