// A test run leaves no temporary folder behind: anything still in the run's own temporary folder (see
// global-setup.js) is listed and the run fails, after the folder is removed either way.
const { readdirSync, rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.OSS_PRESIGN_TEST_TMPDIR;
  if (!dir) return;
  let left;
  try {
    left = readdirSync(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.env.TMPDIR = process.env.OSS_PRESIGN_TEST_OUTER_TMPDIR;
  }
  // tsx keeps its compile cache in the temp folder (tsx-<uid>): a cache of the tools, not something a test left.
  left = left.filter((name) => !/^tsx-\d+$/.test(name));
  if (left.length > 0) {
    throw new Error(`the tests left ${left.length} temporary folder(s) behind: ${left.join(', ')} (use test/support/temp.ts tempDir())`);
  }
};
