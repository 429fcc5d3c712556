// Every test run gets a temporary folder of its own (TMPDIR, which os.tmpdir() and the child processes the tests
// start read), so that test/global-teardown.js can tell what this run left behind from what others keep in /tmp.
const { mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oss-presign-test-run-'));
  process.env.OSS_PRESIGN_TEST_TMPDIR = dir;
  process.env.OSS_PRESIGN_TEST_OUTER_TMPDIR = os.tmpdir();
  process.env.TMPDIR = dir;
};
